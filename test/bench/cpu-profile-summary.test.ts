import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { topSelfTime } from '../../bench/suite/cpu-profile-summary.js';

describe('topSelfTime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-prof-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('weighs samples by time, leaves idle time out, sorts by self time and names native callers', () => {
    const frame = (functionName: string) => ({ functionName, url: 'file:///x/dist/src/a.js', lineNumber: 9 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('append'), children: [5] },
        { id: 4, callFrame: frame('crc32c') },
        { id: 5, callFrame: { functionName: 'writeBuffer', url: '', lineNumber: -1 } },
      ],
      // Sample i lasts until sample i + 1: append 300 µs, crc32c 100 µs, idle 1000 µs, writeBuffer 200 µs.
      samples: [3, 4, 2, 5, 3],
      timeDeltas: [0, 300, 100, 1000, 200, 0],
    };
    const file = join(dir, 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const top = topSelfTime(file, 10);
    assert.deepEqual(
      top.map((e) => [e.functionName, Math.round(e.selfPercent)]),
      [
        ['append', 50],
        ['writeBuffer', 33],
        ['crc32c', 17],
      ],
    );
    assert.equal(top[0]!.url, 'dist/src/a.js:10');
    // A native function has no source of its own: it names the project code that called it.
    assert.equal(top[1]!.calledFrom, 'append dist/src/a.js:10');
  });
});
