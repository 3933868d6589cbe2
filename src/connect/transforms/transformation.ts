import type { ConnectRecord } from '../api/connect-record.js';
import type { ConnectConfigDef } from '../config/connect-config-def.js';

/**
 * Kafka Connect's Transformation (a single message transform): configured with its keys under
 * `transforms.<alias>.`, it returns a changed record, or null to drop it.
 */
export interface Transformation {
  configure(props: Readonly<Record<string, string>>): void;
  apply<R extends ConnectRecord>(record: R): R | null;
  config(): ConnectConfigDef;
  close(): void;
}

/** Kafka Connect's Predicate (KIP-585): decides whether a transform applies to a record. */
export interface Predicate {
  configure(props: Readonly<Record<string, string>>): void;
  test(record: ConnectRecord): boolean;
  config(): ConnectConfigDef;
  close(): void;
}
