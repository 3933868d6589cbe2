/**
 * What flows between KTable processors, as Kafka's Change: the key's new value (null: deleted)
 * and, where the upstream knows it, the value it replaces.
 */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}
