import type { ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../processor/stream-record.js';
import type { Serde } from '../serdes.js';
import type { StoreBuilder } from '../state/state-store.js';
import { StreamsError } from '../streams-error.js';

/** Kafka's TopicNameExtractor: picks a sink's topic per record. */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: { topic: string | null }) => string;

/** Kafka's StreamPartitioner: picks the partition of a sink's record (undefined: the producer's partitioner). */
export type StreamPartitioner<K, V> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | undefined;

/** Kafka's TimestampExtractor: the record timestamp a source gives its records (default: the record's own). */
export type TimestampExtractor = (record: {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  key: unknown;
  value: unknown;
}) => number;

export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde: Serde<unknown> | null;
  readonly valueSerde: Serde<unknown> | null;
  readonly timestampExtractor: TimestampExtractor | null;
}

export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly parents: readonly string[];
  /** Names of the stores the processor may use, in the order they were connected. */
  readonly stores: string[];
}

export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor<unknown, unknown>;
  readonly keySerde: Serde<unknown> | null;
  readonly valueSerde: Serde<unknown> | null;
  readonly partitioner: StreamPartitioner<unknown, unknown> | null;
  readonly parents: readonly string[];
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

/** A repartition topic the application creates, named without the application id prefix. */
export interface InternalTopicDef {
  readonly name: string;
  /** The partition count asked for (Repartitioned.withNumberOfPartitions); null: as the upstream topics. */
  readonly partitions: number | null;
}

/** The record a sink receives: the forwarded record, typed loosely inside the runtime. */
export type AnyRecord = StreamRecord<unknown, unknown>;

/**
 * What a Topology holds: its nodes in the order they were added, its stores and its internal
 * topics; Kafka's InternalTopologyBuilder. The runtime and the test driver read it, users build
 * it through Topology or StreamsBuilder.
 */
export class TopologyModel {
  readonly nodes = new Map<string, NodeDef>();
  readonly storeBuilders = new Map<string, StoreBuilder>();
  readonly internalTopics = new Map<string, InternalTopicDef>();
  /**
   * Nodes whose upstream source topics must have the same partition count (the two inputs of a
   * join), as Kafka's copartitionSources; checked when the application plans its topics.
   */
  readonly copartitionGroups: string[][] = [];
  /** The sources and processors that maintain global stores (GlobalKTable): no tasks, every instance runs them. */
  readonly globalNodes = new Set<string>();
  /** Stores every task shares, filled from their whole topic by the global processors. */
  readonly globalStores = new Set<string>();
  private readonly topicToSource = new Map<string, string>();

  addNode(node: NodeDef): void {
    if (this.nodes.has(node.name))
      throw new StreamsError('TOPOLOGY_INVALID', `Processor ${node.name} is already added.`);
    if (node.kind !== 'source') {
      if (node.parents.length === 0)
        throw new StreamsError('TOPOLOGY_INVALID', `${node.name} must have at least one parent`);
      for (const parent of node.parents) {
        if (parent === node.name)
          throw new StreamsError(
            'TOPOLOGY_INVALID',
            `Processor ${node.name} cannot be a predecessor of itself.`,
          );
        const p = this.nodes.get(parent);
        if (!p)
          throw new StreamsError(
            'TOPOLOGY_INVALID',
            `Parent processor ${parent} is not added yet for ${node.name}`,
          );
        if (p.kind === 'sink')
          throw new StreamsError('TOPOLOGY_INVALID', `Sink ${parent} cannot be used a parent.`);
      }
    } else {
      if (node.topics.length === 0)
        throw new StreamsError(
          'TOPOLOGY_INVALID',
          `You must provide at least one topic for source ${node.name}`,
        );
      for (const topic of node.topics) {
        const other = this.topicToSource.get(topic);
        if (other !== undefined)
          throw new StreamsError(
            'TOPOLOGY_INVALID',
            `Topic ${topic} has already been registered by another source.`,
          );
      }
      for (const topic of node.topics) this.topicToSource.set(topic, node.name);
    }
    this.nodes.set(node.name, node);
  }

  addStore(builder: StoreBuilder, processorNames: readonly string[]): void {
    if (this.storeBuilders.has(builder.name))
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        `A different StateStore has already been added with the name ${builder.name}`,
      );
    this.storeBuilders.set(builder.name, builder);
    this.connect(processorNames, [builder.name]);
  }

  connect(processorNames: readonly string[], storeNames: readonly string[]): void {
    for (const processorName of processorNames) {
      const node = this.nodes.get(processorName);
      if (node?.kind !== 'processor')
        throw new StreamsError('TOPOLOGY_INVALID', `Processor ${processorName} is not added yet.`);
      for (const store of storeNames) {
        if (!this.storeBuilders.has(store))
          throw new StreamsError('TOPOLOGY_INVALID', `StateStore ${store} is not added yet.`);
        if (!node.stores.includes(store)) node.stores.push(store);
      }
    }
  }

  addInternalTopic(topic: InternalTopicDef): void {
    this.internalTopics.set(topic.name, topic);
  }

  sourceForTopic(topic: string): SourceNodeDef | null {
    const name = this.topicToSource.get(topic);
    const node = name === undefined ? undefined : this.nodes.get(name);
    return node?.kind === 'source' ? node : null;
  }

  /**
   * Kafka's node groups: nodes connected by parent links or by a shared store (global stores do
   * not connect), numbered in the order their first node was added (makeNodeGroups over a
   * union-find of nodes). A group of global nodes keeps its number but generates no tasks.
   */
  nodeGroups(): { nodes: string[]; global: boolean }[] {
    const parent = new Map<string, string>();
    const find = (n: string): string => {
      let root = n;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(n, root);
      return root;
    };
    const union = (a: string, b: string): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(ra, rb);
    };
    for (const name of this.nodes.keys()) parent.set(name, name);
    const storeOwner = new Map<string, string>();
    for (const node of this.nodes.values()) {
      if (node.kind === 'source') continue;
      for (const p of node.parents) union(node.name, p);
      if (node.kind === 'processor')
        for (const store of node.stores) {
          if (this.globalStores.has(store)) continue;
          const owner = storeOwner.get(store);
          if (owner === undefined) storeOwner.set(store, node.name);
          else union(node.name, owner);
        }
    }
    const groups = new Map<string, string[]>();
    for (const name of this.nodes.keys()) {
      const root = find(name);
      let group = groups.get(root);
      if (!group) {
        group = [];
        groups.set(root, group);
      }
      group.push(name);
    }
    return [...groups.values()].map((nodes) => ({
      nodes,
      global: nodes.some((n) => this.globalNodes.has(n)),
    }));
  }

  /** The sub-topologies that generate tasks: the node groups without the global ones, numbered from 0. */
  subtopologies(): string[][] {
    return this.nodeGroups()
      .filter((g) => !g.global)
      .map((g) => g.nodes);
  }

  /** Children of each node, in the order they were added. */
  children(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const name of this.nodes.keys()) out.set(name, []);
    for (const node of this.nodes.values())
      if (node.kind !== 'source') for (const p of node.parents) out.get(p)!.push(node.name);
    return out;
  }
}
