import type { Serde } from '../serdes.js';
import { SessionKeySchema, WindowKeySchema } from '../state/window-key-schema.js';
import type { Windowed } from '../state/window-store.js';
import { StreamsError } from '../streams-error.js';

function innerBytes<K>(inner: Serde<K>, topic: string, key: K): Buffer {
  const bytes = inner.serialize(topic, key);
  if (bytes === null) throw new StreamsError('SERIALIZATION_FAILED', 'a windowed key cannot have a null key');
  return bytes;
}

/**
 * Kafka's WindowedSerdes: how windowed keys are written to topics. A time-windowed key is the
 * inner key's bytes and the window start (8 bytes big-endian), as TimeWindowedSerializer writes
 * it; its end is start + window size when read back (TimeWindowedDeserializer). A session key is
 * the inner key, the session end and the start, as SessionWindowedSerializer writes it.
 */
export const WindowedSerdes = {
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      name: `TimeWindowed(${inner.name})`,
      serialize(topic, data) {
        if (data === null || data === undefined) return null;
        return WindowKeySchema.toTimeWindowedKey(innerBytes(inner, topic, data.key), data.window.start);
      },
      deserialize(topic, data) {
        if (data === null) return null;
        const parts = WindowKeySchema.fromTimeWindowedKey(data);
        if (!parts)
          throw new StreamsError('SERIALIZATION_FAILED', 'a time-windowed key is shorter than 8 bytes');
        const key = inner.deserialize(topic, parts.key) as K;
        // Kafka caps the end at Long.MAX_VALUE; JavaScript numbers stop at 2^53 before that.
        return { key, window: { start: parts.windowStartMs, end: parts.windowStartMs + windowSizeMs } };
      },
    };
  },

  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      name: `SessionWindowed(${inner.name})`,
      serialize(topic, data) {
        if (data === null || data === undefined) return null;
        return SessionKeySchema.toBinary(
          innerBytes(inner, topic, data.key),
          data.window.start,
          data.window.end,
        );
      },
      deserialize(topic, data) {
        if (data === null) return null;
        const parts = SessionKeySchema.fromBinary(data);
        if (!parts)
          throw new StreamsError('SERIALIZATION_FAILED', 'a session-windowed key is shorter than 16 bytes');
        return {
          key: inner.deserialize(topic, parts.key) as K,
          window: { start: parts.startMs, end: parts.endMs },
        };
      },
    };
  },
} as const;
