import { ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import { type ConnectValue, type Schema, Schemas } from '../data/schema.js';
import {
  type Converter,
  type HeaderConverter,
  NULL_SCHEMA_AND_VALUE,
  type SchemaAndValue,
} from './converter.js';

/** Kafka's ByteArrayConverter: bytes pass through untouched, read as optional BYTES. */
export class ByteArrayConverter implements Converter, HeaderConverter {
  config(): ConnectConfigDef {
    return new ConnectConfigDef();
  }

  configure(): void {}

  fromConnectData(topic: string, schema: Schema | null, value: ConnectValue): Buffer | null {
    if (schema !== null && schema.type !== 'BYTES')
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    if (value !== null && !Buffer.isBuffer(value))
      throw new DataError(
        `ByteArrayConverter is not compatible with objects of type ${typeof value} (topic ${topic})`,
      );
    return value;
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    return value === null ? NULL_SCHEMA_AND_VALUE : { schema: Schemas.OPTIONAL_BYTES, value };
  }

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: ConnectValue): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }
}
