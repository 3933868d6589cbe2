import type { ConnectRecord } from '../api/connect-record.js';

/**
 * The transformation chain a worker task applies to each record before conversion (sources) or
 * before put (sinks); null drops the record. Identity when the connector has no `transforms`.
 */
export type RecordTransform = <R extends ConnectRecord>(record: R) => R | null;

export const identityTransform: RecordTransform = (record) => record;
