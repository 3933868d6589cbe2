import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { BrokerConfig } from '../../src/broker/config/broker-config.js';
import { BrokerNode } from '../../src/http/broker-node.js';

export interface StartedNode {
  readonly node: BrokerNode;
  readonly bootstrap: string;
  /** http://127.0.0.1:port of the HTTP listener. */
  readonly http: string;
  close(): Promise<void>;
}

/** A broker with its HTTP listener, both on free ports, in a temporary directory that close() removes. */
export async function startNode(config: Record<string, string> = {}): Promise<StartedNode> {
  const dir = mkdtempSync(join(tmpdir(), 'strom-http-'));
  const raw = new Map<string, string>([
    ['listeners', 'PLAINTEXT://127.0.0.1:0'],
    ['strom.http.listeners', 'http://127.0.0.1:0'],
    ['log.dirs', dir],
    ['group.initial.rebalance.delay.ms', '0'],
    ...Object.entries(config),
  ]);
  try {
    const node = await BrokerNode.start(new BrokerConfig(raw));
    const port = node.httpListeners[0]?.boundPort;
    return {
      node,
      bootstrap: node.broker.bootstrap,
      http: `http://127.0.0.1:${port}`,
      close: async () => {
        await node.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One sample: the family name, its labels, its value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Scrapes /metrics and parses it with a Prometheus text-format parser. */
export async function scrape(http: string): Promise<{ samples: Sample[]; families: Map<string, string> }> {
  const res = await fetch(`${http}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const f of parsePrometheusTextFormat(await res.text())) {
    families.set(f.name, f.type);
    for (const m of f.metrics) {
      if (m.value !== undefined)
        samples.push({ name: f.name, labels: m.labels ?? {}, value: Number(m.value) });
    }
  }
  return { samples, families };
}

/** The value of the one sample of `name` whose labels are exactly `labels`; undefined when there is none. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = Object.entries(labels).sort();
  const s = samples.find(
    (x) => x.name === name && JSON.stringify(Object.entries(x.labels).sort()) === JSON.stringify(want),
  );
  return s?.value;
}
