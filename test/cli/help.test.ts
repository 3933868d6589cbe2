import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strom } from './cli-helpers.js';

const COMMANDS = [
  'server',
  'topics',
  'console-producer',
  'console-consumer',
  'consumer-groups',
  'configs',
  'get-offsets',
  'delete-records',
  'leader-election',
  'dump-log',
  'transactions',
  'cluster',
  'acls',
  'producer-perf-test',
  'consumer-perf-test',
  'connect',
];

describe('strom --help', () => {
  it('lists every command', async () => {
    const r = await strom(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\n {2}${c} `), c);
  });

  it('shows examples of each command, and exits 2 on an unknown command or flag', async () => {
    const helps = await Promise.all(COMMANDS.map((c) => strom([c, '--help'])));
    helps.forEach((h, i) => {
      assert.equal(h.code, 0, COMMANDS[i]);
      assert.match(
        h.stdout,
        new RegExp(`Examples:\\n(.*\\n)* {2}(\\S+ .*\\| )?strom ${COMMANDS[i]}`),
        COMMANDS[i],
      );
    });
    assert.equal((await strom(['no-such-command'])).code, 2);
    assert.equal((await strom(['topics', '--no-such-flag'])).code, 2);
  });
});
