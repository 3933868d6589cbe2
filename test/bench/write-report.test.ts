import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SuiteResults } from '../../bench/suite/suite-results.js';
import { writeReport } from '../../bench/suite/write-report.js';

const curve: [number, number][] = [
  [0, 0.1],
  [50, 0.5],
  [99, 3],
  [99.9, 7],
  [100, 9],
];

function results(): SuiteResults {
  return {
    date: '2026-11-25T18:00:00.000Z',
    mode: 'full',
    secondsPerWorkload: 15,
    machine: {
      hostname: 'h',
      node: 'v20',
      cpu: 'CPU',
      cores: 2,
      memoryGiB: 8,
      disk: '/dev/x (ext4)',
      kernel: '6',
    },
    durationSeconds: 100,
    figures: [
      {
        section: 'ceilings',
        id: 'ceiling.disk.buffered',
        label: 'Disk',
        system: 'node',
        value: 1000,
        unit: 'MB/s',
      },
      {
        section: 'strom',
        id: 'strom.produce-only.p16.acks1',
        label: 'Produce 16',
        system: 'strom',
        value: 600,
        unit: 'MB/s',
        baseline: { label: 'disk ceiling', value: 1000 },
        ratio: 0.6,
        generatorCpuPercent: [40, 20],
      },
      {
        section: 'strom',
        id: 'strom.latency.p1.acks1',
        label: 'Latency 1',
        system: 'strom',
        value: 3,
        unit: 'ms',
        latency: { count: 10, p50Ms: 0.5, p99Ms: 3, p999Ms: 7, maxMs: 9, curve },
      },
      { section: 'strom', id: 'strom.backlog', label: 'Backlog', system: 'strom', value: 800, unit: 'MB/s' },
    ],
    skipped: ['Redis Streams: skipped, not installed'],
    profile: { workload: 'w', top: [{ functionName: 'writev', url: '', selfPercent: 30 }] },
  };
}

describe('writeReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-report-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the hand-written sections and replaces only the generated part', () => {
    const page = join(dir, 'benchmarks.md');
    writeFileSync(page, '# Benchmarks\n\nOld intro.\n\n## Storage\n\nHand-written storage figures.\n');
    writeReport(results(), dir, 'bench/results/x.json');
    const first = readFileSync(page, 'utf8');
    assert.match(first, /## Storage\n\nHand-written storage figures\./);
    assert.doesNotMatch(first, /Old intro/);
    assert.match(first, /bench\/results\/x\.json/);
    writeReport(results(), dir, 'bench/results/y.json');
    const second = readFileSync(page, 'utf8');
    assert.equal(second.match(/## Storage/g)?.length, 1);
    assert.equal(second.match(/BEGIN GENERATED/g)?.length, 1);
    assert.match(second, /bench\/results\/y\.json/);
    assert.doesNotMatch(second, /bench\/results\/x\.json/);
  });

  it('judges the targets it has figures for and says which were not measured', () => {
    writeReport(results(), dir, 'r.json');
    const text = readFileSync(join(dir, 'benchmarks.md'), 'utf8');
    assert.match(
      text,
      /Produce, 16 partitions, acks=1, max rate, producers only \(as kafka-producer-perf-test\) \| ≥ 0\.7× disk ceiling \| 600 MB\/s = 0\.60× \| \*\*missed\*\*/,
    );
    assert.match(text, /Consumer catching up on a backlog \| ≥ 500 MB\/s \| 800 MB\/s \| met/);
    assert.match(text, /vs kafkajs.*\| not measured \|/);
    assert.match(text, /1 target\(s\) missed/);
    assert.match(text, /\| 30\.0% \| `writev` \|/);
    assert.match(text, /Redis Streams: skipped, not installed/);
  });

  it('draws throughput bars and latency curves as SVG', () => {
    writeReport(results(), dir, 'r.json');
    const bars = readFileSync(join(dir, 'charts', 'throughput.svg'), 'utf8');
    assert.match(bars, /^<svg /);
    assert.equal(bars.match(/<rect x="\d+" y=/g)?.length, 3);
    const lines = readFileSync(join(dir, 'charts', 'latency-percentiles.svg'), 'utf8');
    assert.equal(lines.match(/<polyline /g)?.length, 1);
    assert.equal(existsSync(join(dir, 'charts', 'clients.svg')), false);
  });
});
