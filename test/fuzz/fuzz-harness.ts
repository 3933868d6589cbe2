import { isDeepStrictEqual } from 'node:util';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/frame.js';
import { API_REGISTRY } from '../../src/protocol/generated/api-registry.js';
import { ALL_CODECS } from '../../src/protocol/generated/index.js';
import type { MessageCodec } from '../../src/protocol/message-codec.js';
import { ProtocolError } from '../../src/protocol/primitives/protocol-error.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { decodeRequestHeader } from '../../src/protocol/request-header.js';
import { Prng } from '../helpers/prng.js';
import { sampleMessage } from '../protocol/generated/sample-values.js';

/**
 * Feeds random and mutated frames into every decoder. The only allowed outcomes are a value or a
 * ProtocolError; a decoded value must also re-encode and decode to itself (or be refused with a
 * ProtocolError when it cannot be encoded, such as a tag given twice).
 */

type Target =
  | { readonly kind: 'request'; readonly apiKey: number; readonly version: number }
  | { readonly kind: 'response'; readonly apiKey: number; readonly version: number }
  | { readonly kind: 'codec'; readonly codec: MessageCodec<unknown>; readonly version: number };

interface Sample {
  readonly target: Target;
  readonly bytes: Buffer;
}

export interface FuzzFailure {
  readonly iteration: number;
  readonly target: string;
  readonly input: Buffer;
  readonly error: unknown;
}

export interface FuzzReport {
  readonly iterations: number;
  readonly samples: number;
  readonly decoded: number;
  readonly rejected: number;
  readonly codes: ReadonlyMap<string, number>;
  readonly failure: FuzzFailure | null;
}

function withoutSizePrefix(chunks: Buffer[]): Buffer {
  return Buffer.concat(chunks).subarray(4);
}

/** One valid frame or message per API (or codec) and version, with every field set. */
export function buildCorpus(seed: number): Sample[] {
  const rng = new Prng(seed);
  const out: Sample[] = [];
  for (const api of API_REGISTRY.values()) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      const nulls = rng.chance(0.3);
      const req = sampleMessage(api.request, v, rng, { nulls });
      const resp = sampleMessage(api.response, v, rng, { nulls });
      const cid = rng.nextU32() | 0;
      out.push({
        target: { kind: 'request', apiKey: api.apiKey, version: v },
        bytes: withoutSizePrefix(encodeRequest(api.apiKey, v, cid, rng.chance(0.5) ? 'fuzz' : null, req)),
      });
      out.push({
        target: { kind: 'response', apiKey: api.apiKey, version: v },
        bytes: withoutSizePrefix(encodeResponse(api.apiKey, v, cid, resp)),
      });
    }
  }
  for (const codec of ALL_CODECS) {
    if (codec.apiKey >= 0 && API_REGISTRY.get(codec.apiKey)?.request === codec) continue;
    for (let v = codec.minVersion; v <= codec.maxVersion; v++) {
      const msg = sampleMessage(codec, v, rng, { nulls: rng.chance(0.3) });
      out.push({ target: { kind: 'codec', codec, version: v }, bytes: codec.encode(v, msg) });
    }
  }
  return out;
}

const INTERESTING_32 = [-1, -2, 0, 1, 0x7f, 0x80, 0x7fff, 0x8000, 0xffff, 0x7fffffff, -0x80000000];
const VARINTS = [
  [0x00],
  [0x7f],
  [0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0x7f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
];

function mutate(rng: Prng, input: Buffer, corpus: Sample[]): Buffer {
  let b = Buffer.from(input);
  const rounds = 1 + rng.int(3);
  for (let i = 0; i < rounds; i++) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(7)) {
      case 0: // bit flips
        for (let k = 1 + rng.int(4); k > 0 && b.length > 0; k--) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      case 1: // truncation
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 2: {
        // a length or count field overwritten with a boundary value
        const v = rng.pick(INTERESTING_32);
        if (rng.chance(0.5) && at + 2 <= b.length) b.writeInt16BE((v << 16) >> 16, at);
        else if (at + 4 <= b.length) b.writeInt32BE(v | 0, at);
        break;
      }
      case 3: {
        // a varint length overwritten
        const v = Buffer.from(rng.pick(VARINTS));
        b = Buffer.concat([b.subarray(0, at), v, b.subarray(Math.min(b.length, at + v.length))]);
        break;
      }
      case 4: {
        // splice: our prefix, another sample's suffix
        const other = rng.pick(corpus).bytes;
        b = Buffer.concat([b.subarray(0, at), other.subarray(rng.int(other.length + 1))]);
        break;
      }
      case 5: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]);
        break;
      default: // delete a range
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(8)))]);
    }
  }
  return b;
}

function describeTarget(t: Target): string {
  if (t.kind === 'codec') return `${t.codec.name} v${t.version}`;
  const api = API_REGISTRY.get(t.apiKey)!;
  return `${api.name} ${t.kind} v${t.version}`;
}

/** Decodes `bytes` as `target`; returns normally for a value, throws for anything else. */
function decodeOnce(target: Target, bytes: Buffer, headerOnly: boolean): void {
  if (target.kind === 'request') {
    if (headerOnly) {
      decodeRequestHeader(new Reader(bytes));
      return;
    }
    const { header, body } = decodeRequest(bytes);
    const again = withoutSizePrefix(
      reencode(() =>
        encodeRequest(
          header.apiKey,
          header.apiVersion,
          header.correlationId,
          header.clientId,
          body as object,
        ),
      ),
    );
    if (again.length === 0) return;
    const second = decodeRequest(again);
    if (!isDeepStrictEqual(second.body, body)) throw new Error('request changed across re-encoding');
  } else if (target.kind === 'response') {
    const { correlationId, body } = decodeResponse(target.apiKey, target.version, bytes);
    const again = withoutSizePrefix(
      reencode(() => encodeResponse(target.apiKey, target.version, correlationId, body as object)),
    );
    if (again.length === 0) return;
    if (!isDeepStrictEqual(decodeResponse(target.apiKey, target.version, again).body, body)) {
      throw new Error('response changed across re-encoding');
    }
  } else {
    const value = target.codec.decode(target.version, bytes);
    const again = reencode(() => [target.codec.encode(target.version, value as object)]);
    if (again.length === 0) return;
    if (!isDeepStrictEqual(target.codec.decode(target.version, Buffer.concat(again)), value)) {
      throw new Error(`${target.codec.name} changed across re-encoding`);
    }
  }
}

/** Re-encoding may refuse a decoded value with a ProtocolError (a duplicated unknown tag); nothing else. */
function reencode(encode: () => Buffer[]): Buffer[] {
  try {
    return encode();
  } catch (e) {
    if (e instanceof ProtocolError) return [];
    throw e;
  }
}

export function runFuzz(iterations: number, seed: number): FuzzReport {
  const corpus = buildCorpus(seed ^ 0x9e3779b9);
  const rng = new Prng(seed);
  const codes = new Map<string, number>();
  let decoded = 0;
  let rejected = 0;
  for (let i = 0; i < iterations; i++) {
    const sample = rng.pick(corpus);
    const random = rng.chance(0.05);
    const bytes = random ? rng.bytes(rng.int(64)) : mutate(rng, sample.bytes, corpus);
    const headerOnly = sample.target.kind === 'request' && rng.chance(0.2);
    try {
      decodeOnce(sample.target, bytes, headerOnly);
      decoded++;
    } catch (e) {
      if (e instanceof ProtocolError) {
        rejected++;
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        continue;
      }
      const failure = { iteration: i, target: describeTarget(sample.target), input: bytes, error: e };
      return { iterations: i + 1, samples: corpus.length, decoded, rejected, codes, failure };
    }
  }
  return { iterations, samples: corpus.length, decoded, rejected, codes, failure: null };
}

export function hexDump(b: Buffer, max = 512): string {
  const lines: string[] = [];
  for (let off = 0; off < Math.min(b.length, max); off += 16) {
    const row = b.subarray(off, Math.min(off + 16, b.length));
    lines.push(`${off.toString(16).padStart(6, '0')}  ${row.toString('hex').replace(/(..)/g, '$1 ')}`);
  }
  if (b.length > max) lines.push(`… ${b.length - max} more bytes`);
  return lines.join('\n');
}
