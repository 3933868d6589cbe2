import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProperties } from '../../src/common/properties.js';

describe('parseProperties', () => {
  it('reads the separators, comments, continuations and escapes of Java properties', () => {
    const p = parseProperties(
      [
        '# a comment',
        '! another',
        'a=1',
        '  b : two words  ',
        'c three',
        'd=line \\',
        '   continued',
        'e=tab\\there\\u0041',
        'key\\=with\\:sep=v',
        'empty=',
      ].join('\n'),
    );
    assert.deepEqual(Object.fromEntries(p), {
      a: '1',
      b: 'two words  ',
      c: 'three',
      d: 'line continued',
      e: 'tab\thereA',
      'key=with:sep': 'v',
      empty: '',
    });
  });
});
