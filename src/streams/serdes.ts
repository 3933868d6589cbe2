import { StreamsError } from './streams-error.js';

/**
 * Kafka's Serde: how keys and values become bytes on topics and in stores, and back. `null` stays
 * `null` both ways (a tombstone), as Kafka's serializers do.
 */
export interface Serde<T> {
  /** A name for messages and logs, as Kafka's serde class names. */
  readonly name: string;
  serialize(topic: string, data: T | null): Buffer | null;
  deserialize(topic: string, data: Buffer | null): T | null;
}

function wrongType(serde: string, expected: string, data: unknown): StreamsError {
  return new StreamsError(
    'SERIALIZATION_FAILED',
    `${serde} serde cannot serialize a ${data === null ? 'null' : typeof data} (expects ${expected}); give the operation its serdes (Consumed, Produced, Grouped, Materialized) or set defaultKeySerde/defaultValueSerde`,
  );
}

function wrongSize(serde: string, size: number, length: number): StreamsError {
  return new StreamsError(
    'SERIALIZATION_FAILED',
    `Size of data received by ${serde}Deserializer is not ${size}, it is ${length}`,
  );
}

const stringSerde: Serde<string> = {
  name: 'String',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'string') throw wrongType('String', 'a string', data);
    return Buffer.from(data, 'utf8');
  },
  deserialize: (_topic, data) => (data === null ? null : data.toString('utf8')),
};

/**
 * Kafka's LongSerializer: 8 bytes, big-endian, two's complement. Values are JavaScript numbers,
 * exact up to 2^53; reading a long beyond that range fails rather than silently rounding.
 */
const longSerde: Serde<number> = {
  name: 'Long',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isSafeInteger(data))
      throw wrongType('Long', 'a safe integer', data);
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(BigInt(data));
    return out;
  },
  deserialize(_topic, data) {
    if (data === null) return null;
    if (data.length !== 8) throw wrongSize('Long', 8, data.length);
    const v = data.readBigInt64BE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new StreamsError('SERIALIZATION_FAILED', `Long ${v} is beyond a JavaScript number's exact range`);
    return Number(v);
  },
};

/** Kafka's IntegerSerializer: 4 bytes, big-endian, two's complement. */
const integerSerde: Serde<number> = {
  name: 'Integer',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isInteger(data) || data < -(2 ** 31) || data >= 2 ** 31)
      throw wrongType('Integer', 'a 32-bit integer', data);
    const out = Buffer.allocUnsafe(4);
    out.writeInt32BE(data);
    return out;
  },
  deserialize(_topic, data) {
    if (data === null) return null;
    if (data.length !== 4) throw wrongSize('Integer', 4, data.length);
    return data.readInt32BE(0);
  },
};

/** Kafka's DoubleSerializer: the 8 bytes of an IEEE 754 double, big-endian. */
const doubleSerde: Serde<number> = {
  name: 'Double',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number') throw wrongType('Double', 'a number', data);
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(data);
    return out;
  },
  deserialize(_topic, data) {
    if (data === null) return null;
    if (data.length !== 8) throw wrongSize('Double', 8, data.length);
    return data.readDoubleBE(0);
  },
};

/** Kafka's ByteArraySerde: the bytes as they are. */
const byteArraySerde: Serde<Buffer> = {
  name: 'ByteArray',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    if (!Buffer.isBuffer(data)) throw wrongType('ByteArray', 'a Buffer', data);
    return data;
  },
  deserialize: (_topic, data) => data,
};

/** JSON text in UTF-8, as Kafka Connect's JsonConverter without schemas writes it. */
function jsonSerde<T>(): Serde<T> {
  return {
    name: 'JSON',
    serialize(_topic, data) {
      if (data === null || data === undefined) return null;
      return Buffer.from(JSON.stringify(data), 'utf8');
    },
    deserialize(_topic, data) {
      if (data === null) return null;
      try {
        return JSON.parse(data.toString('utf8')) as T;
      } catch (cause) {
        throw new StreamsError('SERIALIZATION_FAILED', 'JSON deserializer read malformed JSON', { cause });
      }
    },
  };
}

/** The serdes of Kafka's Serdes class. */
export const Serdes = {
  String: stringSerde,
  Long: longSerde,
  Integer: integerSerde,
  Double: doubleSerde,
  ByteArray: byteArraySerde,
  /** JSON of any value; `Serdes.JSON<MyType>()` types what it reads. */
  JSON: jsonSerde,
} as const;
