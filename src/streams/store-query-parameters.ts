/**
 * Kafka's QueryableStoreType, reduced to what a store query needs to know: which view of a
 * key-value store to give (plain values, or values with their timestamps).
 */
export interface QueryableStoreType<_T> {
  readonly kind: 'keyValue' | 'timestampedKeyValue';
}

/** Kafka's QueryableStoreTypes. */
export const QueryableStoreTypes = {
  /** Values only (a timestamped store's timestamps are left out), as Kafka's keyValueStore(). */
  keyValueStore<K, V>(): QueryableStoreType<{ key: K; value: V }> {
    return { kind: 'keyValue' };
  },
  /** Values with their timestamps (`ValueAndTimestamp`), as Kafka's timestampedKeyValueStore(). */
  timestampedKeyValueStore<K, V>(): QueryableStoreType<{ key: K; value: V; timestamped: true }> {
    return { kind: 'timestampedKeyValue' };
  },
} as const;

/** Kafka's StoreQueryParameters: which store, which view, and optionally one partition's task. */
export class StoreQueryParameters<T> {
  private constructor(
    readonly storeName: string,
    readonly queryableStoreType: QueryableStoreType<T>,
    readonly partition: number | null,
    readonly staleStoresEnabled: boolean,
  ) {}

  static fromNameAndType<T>(
    storeName: string,
    queryableStoreType: QueryableStoreType<T>,
  ): StoreQueryParameters<T> {
    return new StoreQueryParameters(storeName, queryableStoreType, null, false);
  }

  /** Only the task of this input partition is asked (Kafka's withPartition). */
  withPartition(partition: number): StoreQueryParameters<T> {
    return new StoreQueryParameters(
      this.storeName,
      this.queryableStoreType,
      partition,
      this.staleStoresEnabled,
    );
  }

  /** Queries are allowed while the instance is rebalancing too (Kafka's enableStaleStores). */
  enableStaleStores(): StoreQueryParameters<T> {
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, this.partition, true);
  }
}
