import type { MessageCodec, MessageInput } from './message-codec.js';
import { ProtocolError } from './primitives/protocol-error.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

// Data specs that travel outside a request (the __consumer_offsets keys and values, the
// ConsumerProtocol subscription and assignment) are written as an int16 version followed by the
// body at that version, as Kafka's MessageUtil.toVersionPrefixedBytes does.

/** `version` as an int16, then `body` encoded at that version. */
export function encodeVersionPrefixed<T>(
  codec: MessageCodec<T>,
  version: number,
  body: MessageInput<T>,
): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  codec.write(w, version, body);
  return w.toBuffer();
}

/**
 * The version and body of version-prefixed bytes. A version outside the codec's range is
 * UNSUPPORTED_VERSION, bytes after the body TRAILING_BYTES.
 */
export function decodeVersionPrefixed<T>(
  codec: MessageCodec<T>,
  bytes: Buffer,
): { version: number; body: T } {
  const r = new Reader(bytes);
  const version = r.readInt16();
  if (version < codec.minVersion || version > codec.maxVersion) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `${codec.name} version ${version} is not in ${codec.minVersion}-${codec.maxVersion}`,
      0,
    );
  }
  const body = codec.read(r, version);
  if (r.remaining() !== 0)
    throw new ProtocolError('TRAILING_BYTES', `${r.remaining()} bytes left over`, r.pos);
  return { version, body };
}
