import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_CODECS } from '../../../src/protocol/generated/index.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { Prng } from '../../helpers/prng.js';
import { expectedDecoded, sampleMessage } from './sample-values.js';

/** Every codec, every version: samples with every field set survive encode → decode → encode. */
describe('generated codecs round trip', () => {
  it('covers every spec', () => {
    // 188 message specs (requests, responses, headers, data) plus the record schemas.
    assert.ok(ALL_CODECS.length >= 230, `only ${ALL_CODECS.length} codecs`);
    assert.equal(new Set(ALL_CODECS.map((c) => c.name)).size, ALL_CODECS.length);
  });

  for (const codec of ALL_CODECS) {
    it(`${codec.name} v${codec.minVersion}-${codec.maxVersion}`, () => {
      const valid = { min: codec.minVersion, max: codec.maxVersion };
      const rng = new Prng(0x5eed ^ codec.name.length);
      for (let v = codec.minVersion; v <= codec.maxVersion; v++) {
        for (const nulls of [false, true]) {
          const input = sampleMessage(codec, v, rng, { nulls });
          const w = new Writer();
          codec.write(w, v, input);
          const written = w.length;
          const bytes = w.toBuffer();
          assert.equal(bytes.length, written, `${codec.name} v${v}: toBuffer length`);
          assert.deepEqual(codec.encode(v, input), bytes, `${codec.name} v${v}: encode is write`);
          const decoded = codec.decode(v, bytes);
          assert.deepStrictEqual(
            decoded,
            expectedDecoded(codec.fields, valid, v, input),
            `${codec.name} v${v} nulls=${nulls}`,
          );
          assert.deepEqual(codec.encode(v, decoded), bytes, `${codec.name} v${v}: re-encoding differs`);
        }
        const empty = codec.encode(v, {});
        const defaults = codec.decode(v, empty);
        assert.deepStrictEqual(
          defaults,
          expectedDecoded(codec.fields, valid, v, {}),
          `${codec.name} v${v} defaults`,
        );
        assert.deepEqual(codec.encode(v, defaults), empty);
      }
    });
  }
});
