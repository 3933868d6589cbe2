import type { Processor, ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../processor/stream-record.js';
import type { KeyValue } from '../state/key-value-store.js';

/** A processor without state: `fn` gets each record and a forward function. */
export function stateless<KIn, VIn, KOut, VOut>(
  fn: (
    record: StreamRecord<KIn, VIn>,
    forward: (out: StreamRecord<KOut, VOut>, child?: string) => void,
  ) => void,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let context: ProcessorContext<KOut, VOut> | null = null;
    const forward = (out: StreamRecord<KOut, VOut>, child?: string): void => context!.forward(out, child);
    const processor: Processor<KIn, VIn, KOut, VOut> = {
      init(c) {
        context = c;
      },
      process(record) {
        fn(record, forward);
      },
    };
    return processor;
  };
}

/** Kafka's KStreamFilter (filterNot inverts it). */
export function filterProcessor<K, V>(predicate: (key: K, value: V) => boolean, not: boolean) {
  return stateless<K, V, K, V>((r, forward) => {
    if (predicate(r.key, r.value) !== not) forward(r);
  });
}

/** Kafka's KStreamMap (map, selectKey). */
export function mapProcessor<K, V, KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>) {
  return stateless<K, V, KR, VR>((r, forward) => {
    const kv = mapper(r.key, r.value);
    forward({ ...r, key: kv.key, value: kv.value });
  });
}

/** Kafka's KStreamMapValues. */
export function mapValuesProcessor<K, V, VR>(mapper: (value: V, key: K) => VR) {
  return stateless<K, V, K, VR>((r, forward) => forward({ ...r, value: mapper(r.value, r.key) }));
}

/** Kafka's KStreamFlatMap: every pair keeps the input's timestamp and headers. */
export function flatMapProcessor<K, V, KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>) {
  return stateless<K, V, KR, VR>((r, forward) => {
    for (const kv of mapper(r.key, r.value)) forward({ ...r, key: kv.key, value: kv.value });
  });
}

export function flatMapValuesProcessor<K, V, VR>(mapper: (value: V, key: K) => Iterable<VR>) {
  return stateless<K, V, K, VR>((r, forward) => {
    for (const value of mapper(r.value, r.key)) forward({ ...r, value });
  });
}

/** Kafka's KStreamPeek: forwards the record after the action (foreach is peek without children). */
export function peekProcessor<K, V>(action: (key: K, value: V) => void) {
  return stateless<K, V, K, V>((r, forward) => {
    action(r.key, r.value);
    forward(r);
  });
}

export function passThroughProcessor<K, V>() {
  return stateless<K, V, K, V>((r, forward) => forward(r));
}

/**
 * Kafka's KStreamBranch: a record goes to the child of the first predicate it satisfies, else to
 * the default branch (the child after the predicates' children) when there is one, else nowhere.
 * The lists are shared with split() and grow as branches are added.
 */
export function branchProcessor<K, V>(predicates: ((key: K, value: V) => boolean)[], childNames: string[]) {
  return stateless<K, V, K, V>((r, forward) => {
    for (let i = 0; i < predicates.length; i++)
      if (predicates[i]!(r.key, r.value)) {
        forward(r, childNames[i]);
        return;
      }
    if (childNames.length > predicates.length) forward(r, childNames[predicates.length]);
  });
}
