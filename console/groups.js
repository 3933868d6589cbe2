import { lineChart } from './chart.js';
import { announce, api, enc, errorBox, field, h, num, table } from './dom.js';

/** Consumer groups: state, members and total lag. */
export async function groupsPage(ctx) {
  const list = h('div');
  ctx.main.replaceChildren(h('h1', null, 'Consumer groups'), list);
  const load = async () => {
    const r = await api('/api/groups');
    if (!ctx.active) return;
    list.replaceChildren(
      r.groups.length === 0
        ? h('p', { class: 'muted' }, 'No consumer groups.')
        : table(
            'Consumer groups',
            ['Group', 'State', 'Members', 'Lag'],
            r.groups.map((g) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('a', { href: `#/groups/${enc(g.groupId)}` }, g.groupId)),
                h('td', null, g.state),
                h('td', null, num(g.members)),
                h('td', null, num(g.totalLag)),
              ),
            ),
          ),
      r.total > r.groups.length
        ? h('p', { class: 'muted' }, `First ${r.groups.length} of ${r.total}.`)
        : null,
    );
  };
  await load();
  ctx.every(5000, () => load().catch(() => {}));
}

/** One group: members and assignments, lag per partition with its chart, reset offsets, delete. */
export async function groupPage(ctx, groupId) {
  const summary = h('div');
  const chart = h('div');
  const members = h('div');
  const lag = h('div');
  const out = h('div', { 'aria-live': 'polite' });
  let topics = [];
  const load = async () => {
    const g = await api(`/api/groups/${enc(groupId)}`);
    if (!ctx.active) return;
    topics = [...new Set(g.lag.map((l) => l.topic))];
    summary.replaceChildren(
      h(
        'ul',
        { class: 'stats', 'aria-label': 'Group summary' },
        h(
          'li',
          null,
          h('span', { class: 'stat-label' }, 'State'),
          h('span', { class: 'stat-value' }, g.state),
        ),
        h(
          'li',
          null,
          h('span', { class: 'stat-label' }, 'Members'),
          h('span', { class: 'stat-value' }, num(g.members.length)),
        ),
        h(
          'li',
          null,
          h('span', { class: 'stat-label' }, 'Total lag'),
          h('span', { class: 'stat-value', 'data-testid': 'total-lag' }, num(g.totalLag)),
        ),
      ),
    );
    const keys = Object.keys(g.history.at(-1)?.partitions ?? {})
      .sort((a, b) => (g.history.at(-1).partitions[b] ?? 0) - (g.history.at(-1).partitions[a] ?? 0))
      .slice(0, 5);
    chart.replaceChildren(
      lineChart('Lag over time', [
        { name: 'total', points: g.history.map((p) => ({ t: p.t, v: p.total })) },
        ...keys.map((k) => ({
          name: k,
          points: g.history.filter((p) => k in p.partitions).map((p) => ({ t: p.t, v: p.partitions[k] })),
        })),
      ]),
    );
    members.replaceChildren(
      g.members.length === 0
        ? h('p', { class: 'muted' }, 'No active members.')
        : table(
            'Members',
            ['Member', 'Client', 'Host', 'Assignment'],
            g.members.map((m) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('code', null, m.memberId)),
                h('td', null, m.clientId),
                h('td', null, m.host),
                h(
                  'td',
                  null,
                  m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('; ') || '–',
                ),
              ),
            ),
          ),
    );
    lag.replaceChildren(
      g.lag.length === 0
        ? h('p', { class: 'muted' }, 'No committed offsets.')
        : table(
            'Lag per partition',
            ['Topic', 'Partition', 'Committed offset', 'Log end offset', 'Lag', 'Member'],
            g.lag.map((l) =>
              h(
                'tr',
                null,
                h('td', null, l.topic),
                h('td', null, l.partition),
                h('td', null, num(l.committedOffset)),
                h('td', null, num(l.logEndOffset)),
                h('td', null, num(l.lag)),
                h('td', null, l.memberId ? h('code', null, l.memberId) : '–'),
              ),
            ),
          ),
    );
    topicSelect.replaceChildren(
      h('option', { value: '' }, 'All its topics'),
      topics.map((t) => h('option', { value: t, selected: t === topicSelect.dataset.value }, t)),
    );
  };

  const topicSelect = h('select', { name: 'reset-topic' });
  topicSelect.addEventListener('change', () => {
    topicSelect.dataset.value = topicSelect.value;
  });
  const to = h(
    'select',
    { name: 'reset-to' },
    h('option', { value: 'earliest' }, 'Earliest'),
    h('option', { value: 'latest' }, 'Latest'),
    h('option', { value: 'timestamp' }, 'Timestamp'),
    h('option', { value: 'offset' }, 'Offset'),
  );
  const value = h('input', { name: 'reset-value', type: 'number', min: 0, value: 0 });
  const when = h('input', { name: 'reset-time', type: 'datetime-local', step: 1 });
  const valueField = field('Offset', value);
  const whenField = field('Time (UTC)', when);
  const showTo = () => {
    valueField.hidden = to.value !== 'offset';
    whenField.hidden = to.value !== 'timestamp';
  };
  to.addEventListener('change', showTo);
  showTo();
  const plan = h('div', { 'aria-live': 'polite' });
  const reset = async (dryRun) => {
    plan.replaceChildren();
    try {
      const body = { to: to.value, dryRun, topic: topicSelect.value || null };
      if (to.value === 'offset') body.value = Number(value.value);
      if (to.value === 'timestamp') body.value = when.value ? Date.parse(`${when.value}Z`) : 0;
      const r = await api(`/api/groups/${enc(groupId)}/reset`, { method: 'POST', body });
      plan.replaceChildren(
        h('p', { class: dryRun ? 'muted' : 'ok' }, dryRun ? 'Dry run: nothing changed.' : 'Offsets reset.'),
        table(
          dryRun ? 'Reset plan' : 'Offsets reset',
          ['Topic', 'Partition', 'Current offset', 'New offset'],
          r.plan.map((p) =>
            h(
              'tr',
              null,
              h('td', null, p.topic),
              h('td', null, p.partition),
              h('td', null, num(p.currentOffset)),
              h('td', null, num(p.newOffset)),
            ),
          ),
        ),
      );
      announce(dryRun ? 'Reset plan shown' : 'Offsets reset');
      if (!dryRun) await load();
    } catch (err) {
      plan.replaceChildren(errorBox(err));
    }
  };

  ctx.main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/groups' }, 'Consumer groups'), ' / '),
    h('h1', null, groupId),
    summary,
    h('section', { 'aria-labelledby': 'lag-h' }, h('h2', { id: 'lag-h' }, 'Lag'), chart, lag),
    h('section', { 'aria-labelledby': 'members-h' }, h('h2', { id: 'members-h' }, 'Members'), members),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'reset-h' },
      h('h2', { id: 'reset-h' }, 'Reset offsets'),
      h(
        'p',
        { class: 'muted' },
        'The group must have no active members to reset its offsets, as with Kafka.',
      ),
      h(
        'form',
        {
          onsubmit: (e) => {
            e.preventDefault();
            reset(true);
          },
        },
        h(
          'div',
          { class: 'grid' },
          field('Topic', topicSelect),
          field('Reset to', to),
          valueField,
          whenField,
        ),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit' }, 'Preview (dry run)'),
          h('button', { type: 'button', class: 'danger', onclick: () => reset(false) }, 'Reset offsets'),
        ),
      ),
      plan,
    ),
    h(
      'p',
      null,
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            if (!confirm(`Delete group ${groupId} and its committed offsets?`)) return;
            try {
              await api(`/api/groups/${enc(groupId)}`, { method: 'DELETE' });
              announce(`Deleted group ${groupId}`);
              location.hash = '#/groups';
            } catch (err) {
              out.replaceChildren(errorBox(err));
            }
          },
        },
        'Delete group',
      ),
    ),
    out,
  );
  await load();
  ctx.every(3000, () => load().catch(() => {}));
}
