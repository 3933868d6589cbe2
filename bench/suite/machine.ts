import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { Machine } from './suite-results.js';

/** The machine a run was made on, as the report shows it. */
export function describeMachine(dataDir: string): Machine {
  return {
    hostname: hostname(),
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    disk: describeDisk(dataDir),
    kernel: release(),
  };
}

/** File system, size and device of the data directory, and whether the device says it rotates. */
function describeDisk(dir: string): string {
  try {
    const df = execFileSync('df', ['-hT', dir], { encoding: 'utf8' }).trim().split('\n').pop()!.split(/\s+/);
    const [device, fsType, size] = df;
    const name = device?.replace('/dev/', '').replace(/[0-9]+$/, '') ?? '';
    let kind = '';
    try {
      const rotational = readFileSync(`/sys/block/${name}/queue/rotational`, 'utf8').trim();
      kind = rotational === '1' ? ', rotational' : ', non-rotational';
    } catch {
      // a device without a /sys/block entry (overlay, tmpfs): its kind is unknown
    }
    return `${device} (${fsType}, ${size}${kind})`;
  } catch {
    return 'unknown';
  }
}
