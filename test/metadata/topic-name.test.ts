import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicNameProblem, unifyCollisionChars } from '../../src/metadata/topic-name.js';

describe('topic names', () => {
  it("accepts Kafka's legal names", () => {
    for (const n of ['a', 'quickstart-events', 'A.b_c-9', 'x'.repeat(249)])
      assert.equal(topicNameProblem(n), null, n);
  });
  it('rejects empty, dot names, long names and illegal characters', () => {
    for (const n of ['', '.', '..', 'x'.repeat(250), 'a b', 'a/b', 'é', 'a\u0000']) {
      assert.notEqual(topicNameProblem(n), null, JSON.stringify(n));
    }
  });
  it('detects names that collide on . and _', () => {
    assert.equal(unifyCollisionChars('a.b'), unifyCollisionChars('a_b'));
  });
});
