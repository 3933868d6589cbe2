import { announce, api, bytes, enc, errorBox, field, h, num, table } from './dom.js';

const PAGE = 50;

/** The topics list: searched and paged on the broker, so 10,000 topics load as fast as 10. */
export async function topicsPage(ctx) {
  let offset = 0;
  const search = h('input', { type: 'search', name: 'search', placeholder: 'Topic name contains…' });
  const internal = h('input', { type: 'checkbox', name: 'internal' });
  const list = h('div');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Topic pages' });
  const load = async () => {
    const q = new URLSearchParams({ search: search.value, offset: String(offset), limit: String(PAGE) });
    if (internal.checked) q.set('internal', 'true');
    const r = await api(`/api/topics?${q}`);
    if (!ctx.active) return;
    list.replaceChildren(
      table(
        'Topics',
        ['Topic', 'Partitions', 'Replication', 'Size', 'Messages/s', 'Bytes in/s'],
        r.topics.map((t) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, h('a', { href: `#/topics/${enc(t.name)}` }, t.name)),
            h('td', null, num(t.partitions)),
            h('td', null, num(t.replicationFactor)),
            h('td', null, bytes(t.sizeBytes)),
            h('td', null, num(t.messagesInPerSec, 1)),
            h('td', null, bytes(Math.round(t.bytesInPerSec))),
          ),
        ),
      ),
      r.topics.length === 0 ? h('p', { class: 'muted' }, 'No topics match.') : null,
    );
    const last = Math.min(r.total, offset + r.topics.length);
    pager.replaceChildren(
      h(
        'button',
        { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE)) },
        'Previous',
      ),
      h('span', null, `${r.total === 0 ? 0 : offset + 1}–${last} of ${num(r.total)}`),
      h('button', { type: 'button', disabled: last >= r.total, onclick: () => go(offset + PAGE) }, 'Next'),
    );
  };
  const go = (o) => {
    offset = o;
    load().catch((err) => list.replaceChildren(errorBox(err)));
  };
  let debounce = null;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => go(0), 200);
  });
  internal.addEventListener('change', () => go(0));
  ctx.main.replaceChildren(
    h('h1', null, 'Topics'),
    h(
      'div',
      { class: 'toolbar' },
      field('Search topics', search),
      h('label', { class: 'check' }, internal, ' Show internal topics'),
    ),
    list,
    pager,
    createForm(() => go(0)),
  );
  await load();
  ctx.every(5000, () => load().catch(() => {}));
}

function createForm(done) {
  const name = h('input', { name: 'name', required: true, maxlength: 249, pattern: '[a-zA-Z0-9._\\-]+' });
  const partitions = h('input', { name: 'partitions', type: 'number', min: 1, value: 1, required: true });
  const rf = h('input', { name: 'replicationFactor', type: 'number', min: 1, value: 1, required: true });
  const configs = h('textarea', { name: 'configs', rows: 3, placeholder: 'retention.ms=86400000' });
  const out = h('div', { 'aria-live': 'polite' });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'create-h' },
    h('h2', { id: 'create-h' }, 'Create a topic'),
    h(
      'form',
      {
        onsubmit: async (e) => {
          e.preventDefault();
          out.replaceChildren();
          try {
            const r = await api('/api/topics', {
              method: 'POST',
              body: {
                name: name.value,
                partitions: Number(partitions.value),
                replicationFactor: Number(rf.value),
                configs: parseLines(configs.value),
              },
            });
            out.replaceChildren(
              h(
                'p',
                { class: 'ok' },
                'Created topic ',
                h('a', { href: `#/topics/${enc(r.name)}` }, r.name),
                '.',
              ),
            );
            announce(`Created topic ${r.name}`);
            name.value = '';
            done();
          } catch (err) {
            out.replaceChildren(errorBox(err));
          }
        },
      },
      h(
        'div',
        { class: 'grid' },
        field('Name', name),
        field('Partitions', partitions),
        field('Replication factor', rf),
        field('Configs', configs, 'One key=value per line'),
      ),
      h('button', { type: 'submit' }, 'Create topic'),
      out,
    ),
  );
}

/** key=value lines into an object (blank lines and lines without "=" are skipped). */
export function parseLines(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** One topic: partitions with offsets, leaders, replicas and ISR; its configs, editable; delete. */
export async function topicPage(ctx, name) {
  const t = await api(`/api/topics/${enc(name)}`);
  if (!ctx.active) return;
  const out = h('div', { 'aria-live': 'polite' });
  const edits = h('textarea', { name: 'set', rows: 3, placeholder: 'retention.ms=3600000' });
  const resets = h('input', { name: 'delete', placeholder: 'cleanup.policy, retention.ms' });
  ctx.main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/topics' }, 'Topics'), ' / '),
    h('h1', null, t.name),
    h(
      'p',
      { class: 'actions' },
      h('a', { class: 'button', href: `#/topics/${enc(name)}/messages` }, 'Browse messages'),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            if (!confirm(`Delete topic ${name} and all its records?`)) return;
            try {
              await api(`/api/topics/${enc(name)}`, { method: 'DELETE' });
              announce(`Deleted topic ${name}`);
              location.hash = '#/topics';
            } catch (err) {
              out.replaceChildren(errorBox(err));
            }
          },
        },
        'Delete topic',
      ),
    ),
    out,
    h('p', { class: 'muted' }, 'Topic id ', h('code', null, t.topicId)),
    h(
      'section',
      { 'aria-labelledby': 'parts-h' },
      h('h2', { id: 'parts-h' }, 'Partitions'),
      table(
        'Partitions',
        ['Partition', 'Leader', 'Replicas', 'ISR', 'Log start', 'High watermark', 'Last stable', 'Size'],
        t.partitions.map((p) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, p.partition),
            h('td', null, p.offline ? 'none (offline)' : p.leader),
            h('td', null, p.replicas.join(', ')),
            h('td', null, p.isr.join(', ')),
            h('td', null, num(p.logStartOffset)),
            h('td', null, num(p.highWatermark)),
            h('td', null, num(p.lastStableOffset)),
            h('td', null, bytes(p.sizeBytes)),
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'configs-h' },
      h('h2', { id: 'configs-h' }, 'Configs'),
      t.configs === null
        ? h(
            'p',
            { class: 'muted', role: 'note' },
            `Not authorized to describe this topic's configs (${t.configsError.error}).`,
          )
        : table(
            'Configs',
            ['Name', 'Value', 'Source'],
            t.configs.map((c) =>
              h(
                'tr',
                { class: c.source === 'DYNAMIC_TOPIC_CONFIG' ? 'set' : null },
                h('th', { scope: 'row' }, c.name),
                h('td', null, c.sensitive ? '(sensitive)' : (c.value ?? 'null')),
                h('td', null, c.source),
              ),
            ),
          ),
      h(
        'form',
        {
          class: 'card',
          'aria-labelledby': 'edit-h',
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              const del = resets.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
              await api(`/api/topics/${enc(name)}/configs`, {
                method: 'POST',
                body: { set: parseLines(edits.value), delete: del },
              });
              announce('Configs changed');
              await topicPage(ctx, name);
            } catch (err) {
              out.replaceChildren(errorBox(err));
              out.scrollIntoView();
            }
          },
        },
        h('h3', { id: 'edit-h' }, 'Edit configs'),
        field('Set', edits, 'One key=value per line'),
        field('Reset to default', resets, 'Config names, separated by commas'),
        h('button', { type: 'submit' }, 'Apply'),
      ),
    ),
  );
}
