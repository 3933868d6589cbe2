import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configurationMarkdown } from '../../scripts/gen-config-docs.js';

describe('docs/configuration.md', () => {
  it('matches the config definitions in the code (run npm run gen:config-docs after a change)', () => {
    assert.equal(readFileSync('docs/configuration.md', 'utf8'), configurationMarkdown());
  });
});
