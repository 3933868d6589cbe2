import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePortNotIn } from '../../src/cli/local-cluster.js';

describe('strom cluster up: free ports', () => {
  it('never hands out one port twice, though the OS may offer the same free port to two probes', async () => {
    const offered = [41000, 41000, 41001, 41000, 41002];
    const probe = async () => offered.shift()!;
    const taken = new Set<number>();
    const ports = [
      await freePortNotIn(taken, probe),
      await freePortNotIn(taken, probe),
      await freePortNotIn(taken, probe),
    ];
    assert.deepEqual(ports, [41000, 41001, 41002]);
  });
});
