import { lineChart } from './chart.js';
import { api, bytes, h, num, table } from './dom.js';

/** Brokers and the controller, topic and partition counts, and the broker's throughput over time. */
export async function overviewPage(ctx) {
  const head = h('p', { class: 'muted' });
  const body = h('div');
  ctx.main.replaceChildren(h('h1', null, 'Overview'), head, body);
  // Refreshed in place every 5 s: the heading and focus stay where they are.
  const load = async () => {
    const o = await api('/api/overview');
    if (!ctx.active) return;
    const tp = o.throughput;
    head.replaceChildren('Cluster ', h('code', null, o.clusterId));
    body.replaceChildren(
      h(
        'ul',
        { class: 'stats', 'aria-label': 'Cluster summary' },
        stat('Brokers', num(o.brokers.filter((b) => !b.fenced).length)),
        stat('Controller', o.controllerId < 0 ? 'none' : `broker ${o.controllerId}`),
        stat('Topics', num(o.topics)),
        stat('Partitions', num(o.partitions)),
        stat('Offline partitions', num(o.offlinePartitions)),
        stat('Under-replicated', num(o.underReplicatedPartitions)),
        stat('Log size', bytes(o.sizeBytes)),
      ),
      h('section', { 'aria-labelledby': 'tp-h' }, h('h2', { id: 'tp-h' }, 'Throughput'), [
        lineChart(
          'Messages in per second',
          [{ name: 'messages in/s', points: tp.map((p) => ({ t: p.t, v: p.messagesInPerSec })) }],
          (v) => num(v, 1),
        ),
        lineChart(
          'Bytes per second',
          [
            { name: 'in', points: tp.map((p) => ({ t: p.t, v: p.bytesInPerSec })) },
            { name: 'out', points: tp.map((p) => ({ t: p.t, v: p.bytesOutPerSec })) },
          ],
          (v) => `${bytes(Math.round(v))}/s`,
        ),
      ]),
      h(
        'section',
        { 'aria-labelledby': 'brokers-h' },
        h('h2', { id: 'brokers-h' }, 'Brokers'),
        table(
          'Brokers',
          ['Node', 'Host', 'Port', 'Rack', 'Status', 'Role'],
          o.brokers.map((b) =>
            h(
              'tr',
              { class: b.fenced ? 'fenced' : null },
              h('td', null, b.nodeId),
              h('td', null, b.host),
              h('td', null, b.port),
              h('td', null, b.rack ?? '–'),
              h('td', null, b.fenced ? 'fenced' : 'active'),
              h(
                'td',
                null,
                [b.controller ? 'controller' : null, b.nodeId === o.nodeId ? 'this broker' : null]
                  .filter(Boolean)
                  .join(', ') || '–',
              ),
            ),
          ),
        ),
      ),
    );
  };
  await load();
  ctx.every(5000, () => load().catch(() => {}));
}

function stat(label, value) {
  return h('li', null, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
}
