import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GroupTraceRunner } from './group-trace-runner.js';

// Golden traces: each file lists commands and, indented under each, the records and responses it
// caused. UPDATE_TRACES=1 rewrites the files after a deliberate change; review the diff.
const DIR = join(process.cwd(), 'test/broker/group-coordinator/core/traces');

describe('group coordinator golden traces', () => {
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    it(file, () => {
      const path = join(DIR, file);
      const text = readFileSync(path, 'utf8');
      const actual = new GroupTraceRunner().run(text);
      if (process.env.UPDATE_TRACES === '1') writeFileSync(path, actual);
      else assert.equal(actual, text);
    });
  }
});
