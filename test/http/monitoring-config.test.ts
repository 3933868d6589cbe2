import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { type StartedNode, scrape, startNode } from './http-node.js';

const DASHBOARD = 'config/grafana/strom-dashboard.json';
const ALERTS = 'config/prometheus/alerts.yml';

/** Names Prometheus makes itself rather than scrapes. */
const SYNTHETIC = new Set(['up']);

/** Grafana's variables, replaced by values of the right shape so the expression parses as PromQL. */
function withoutVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll(/\$\{?(\w+)\}?/g, 'x');
}

/** The metric names an expression selects; throws when it is not valid PromQL. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  let error: number | null = null;
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError && error === null) error = n.from;
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector')
        names.push(expr.slice(n.from, n.to));
    },
  });
  if (error !== null) throw new Error(`not PromQL at ${error}: ${expr}`);
  return names;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

function dashboardExpressions(): { where: string; expr: string }[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Panel[];
    templating: { list: { name: string; type: string; query: string | { query: string } }[] };
  };
  const out: { where: string; expr: string }[] = [];
  for (const p of d.panels)
    for (const t of p.targets ?? [])
      out.push({ where: `panel "${p.title}"`, expr: withoutVariables(t.expr) });
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((.+),\s*\w+\)$/.exec(q);
    assert.ok(m, `variable ${v.name}: ${q}`);
    out.push({ where: `variable ${v.name}`, expr: withoutVariables(m[1]!) });
  }
  return out;
}

function alertExpressions(): { where: string; expr: string }[] {
  const doc = parseYaml(readFileSync(ALERTS, 'utf8')) as {
    groups: {
      name: string;
      rules: {
        alert?: string;
        expr: string;
        labels?: { severity?: string };
        annotations?: { summary?: string };
      }[];
    }[];
  };
  const out: { where: string; expr: string }[] = [];
  for (const g of doc.groups) {
    assert.ok(g.name && g.rules.length > 0);
    for (const r of g.rules) {
      assert.ok(r.alert, `a rule of ${g.name} has no alert name`);
      assert.ok(['warning', 'critical'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
      assert.ok(r.annotations?.summary, `${r.alert}: summary`);
      out.push({ where: `alert ${r.alert}`, expr: r.expr });
    }
  }
  return out;
}

describe('the Grafana dashboard and the Prometheus alert rules', () => {
  let s: StartedNode;
  let exported: Map<string, string>;
  before(async () => {
    s = await startNode();
    exported = (await scrape(s.http)).families;
  });
  after(async () => {
    await s?.close();
  });

  it('the dashboard is a Grafana dashboard: typed panels on a 24-column grid, unique ids, a query each', () => {
    const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: Panel[];
      uid: string;
      schemaVersion: number;
    };
    assert.ok(d.uid && d.schemaVersion > 0);
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of d.panels) {
      assert.ok(['row', 'stat', 'timeseries'].includes(p.type), p.title);
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, p.title);
      if (p.type !== 'row') assert.ok((p.targets ?? []).length > 0, `${p.title} has no query`);
    }
    const titles = d.panels.filter((p) => p.type === 'row').map((p) => p.title);
    assert.deepEqual(titles, [
      'Cluster',
      'Throughput',
      'Requests',
      'Partitions and logs',
      'Consumer groups',
      'Node.js',
    ]);
  });

  it('the alerts cover the classic conditions', () => {
    const names = alertExpressions().map((a) => a.where);
    for (const alert of [
      'StromBrokerDown',
      'StromOfflinePartitions',
      'StromUnderReplicatedPartitions',
      'StromConsumerLagGrowing',
      'StromDiskAlmostFull',
    ])
      assert.ok(names.includes(`alert ${alert}`), alert);
  });

  it('every expression is PromQL and selects only metrics a live broker exports', () => {
    const missing: string[] = [];
    for (const { where, expr } of [...dashboardExpressions(), ...alertExpressions()]) {
      for (const name of metricNames(expr)) {
        if (SYNTHETIC.has(name)) continue;
        // A histogram's series are its family name plus _bucket, _sum or _count.
        const family = exported.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
        if (!exported.has(family) || (family !== name && exported.get(family) !== 'HISTOGRAM'))
          missing.push(`${where}: ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
