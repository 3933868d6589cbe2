import { ConnectConfigDef } from '../config/connect-config-def.js';
import { type ConnectValue, type Schema, Schemas } from '../data/schema.js';
import { type HeaderConverter, NULL_SCHEMA_AND_VALUE, type SchemaAndValue } from './converter.js';
import { stringOf } from './string-converter.js';

/**
 * The worker's default header converter (Kafka's SimpleHeaderConverter) as far as Strom goes:
 * header values are written as their UTF-8 string form (Buffers as they are) and read back as
 * optional strings. Kafka's version also guesses a type from the text when reading (numbers,
 * booleans, JSON-like maps and arrays); Strom leaves that to the connector or a transform.
 */
export class SimpleHeaderConverter implements HeaderConverter {
  config(): ConnectConfigDef {
    return new ConnectConfigDef();
  }

  configure(): void {}

  fromConnectHeader(
    _topic: string,
    _key: string,
    _schema: Schema | null,
    value: ConnectValue,
  ): Buffer | null {
    if (value === null) return null;
    return Buffer.isBuffer(value) ? value : Buffer.from(stringOf(value), 'utf8');
  }

  toConnectHeader(_topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return value === null
      ? NULL_SCHEMA_AND_VALUE
      : { schema: Schemas.OPTIONAL_STRING, value: value.toString('utf8') };
  }
}
