import type { ConnectConfigDef } from '../config/connect-config-def.js';
import type { ConnectValue, Schema } from '../data/schema.js';

/** A schema and a value: what a converter reads bytes into (Kafka's SchemaAndValue). */
export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: ConnectValue;
}

export const NULL_SCHEMA_AND_VALUE: SchemaAndValue = Object.freeze({ schema: null, value: null });

/**
 * Kafka Connect's Converter: Connect data to the bytes of a record's key or value and back.
 * Configured with the worker's or connector's `key.converter.*` / `value.converter.*` keys.
 */
export interface Converter {
  configure(configs: Readonly<Record<string, string>>, isKey: boolean): void;
  fromConnectData(topic: string, schema: Schema | null, value: ConnectValue): Buffer | null;
  toConnectData(topic: string, value: Buffer | null): SchemaAndValue;
  config(): ConnectConfigDef;
}

/** Kafka's HeaderConverter: one header's value to bytes and back. */
export interface HeaderConverter {
  configure(configs: Readonly<Record<string, string>>): void;
  fromConnectHeader(
    topic: string,
    headerKey: string,
    schema: Schema | null,
    value: ConnectValue,
  ): Buffer | null;
  toConnectHeader(topic: string, headerKey: string, value: Buffer | null): SchemaAndValue;
  config(): ConnectConfigDef;
}
