import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  camelCase,
  kebabCase,
  OPEN,
  parseRange,
  parseSpec,
  stripComments,
} from '../../scripts/gen-protocol/spec.js';

describe('gen-protocol spec reading', () => {
  it('strips // and /* */ comments but not // inside strings', () => {
    const text = `// licence
{ "about": "see https://kafka.apache.org/protocol // not a comment", /* block
  comment */ "n": 1 // trailing
}`;
    assert.deepEqual(JSON.parse(stripComments(text)), {
      about: 'see https://kafka.apache.org/protocol // not a comment',
      n: 1,
    });
    assert.deepEqual(JSON.parse(stripComments('{ "a": "quote \\" // still a string" }')), {
      a: 'quote " // still a string',
    });
  });

  it('parses version ranges', () => {
    assert.deepEqual(parseRange('0+', 'x'), { min: 0, max: OPEN });
    assert.deepEqual(parseRange('3-5', 'x'), { min: 3, max: 5 });
    assert.deepEqual(parseRange('7', 'x'), { min: 7, max: 7 });
    const none = parseRange('none', 'x');
    assert.ok(none.max < none.min);
    assert.throws(() => parseRange('5-', 'x'));
  });

  it('names files and properties after the spec names', () => {
    assert.equal(kebabCase('ProduceRequest'), 'produce-request');
    assert.equal(kebabCase('KRaftVersionRecord'), 'k-raft-version-record');
    assert.equal(camelCase('ThrottleTimeMs'), 'throttleTimeMs');
    assert.equal(camelCase('KRaftVersion'), 'kRaftVersion');
  });

  it('resolves common structs and prefixes struct names with the message name', () => {
    const spec = parseSpec(
      `{ "name": "FooRequest", "type": "request", "apiKey": 99, "validVersions": "0-1", "flexibleVersions": "1+",
         "fields": [ { "name": "Items", "type": "[]Item", "versions": "0+" } ],
         "commonStructs": [ { "name": "Item", "versions": "0+", "fields": [
           { "name": "Id", "type": "int32", "versions": "0+", "mapKey": true } ] } ] }`,
      'message/FooRequest.json',
      'message',
    );
    assert.equal(spec.structs.length, 1);
    assert.equal(spec.structs[0]!.typeName, 'FooRequestItem');
    assert.equal(spec.root.fields[0]!.property, 'items');
    assert.equal(spec.structs[0]!.fields[0]!.mapKey, true);
    assert.throws(() =>
      parseSpec(
        '{ "name": "X", "type": "data", "validVersions": "0", "flexibleVersions": "none", "fields": [ { "name": "A", "type": "Missing", "versions": "0+" } ] }',
        'x',
        'message',
      ),
    );
  });
});
