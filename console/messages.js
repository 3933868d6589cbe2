import { announce, api, enc, errorBox, field, formatBytes, h, table, time } from './dom.js';

/** Rows the live tail keeps on the page; older ones are dropped. */
const TAIL_ROWS_MAX = 500;

/**
 * The message browser: one partition or all, from the newest, the oldest, an offset or a time;
 * keys, values and headers as text, pretty JSON or hex; filters by key or text; a live tail that
 * asks the broker every second from where the last answer stopped; and a form to produce a test
 * message.
 */
export async function messagesPage(ctx, topic) {
  const t = await api(`/api/topics/${enc(topic)}`);
  if (!ctx.active) return;
  const partition = h(
    'select',
    { name: 'partition' },
    h('option', { value: 'all' }, 'All'),
    t.partitions.map((p) => h('option', { value: String(p.partition) }, String(p.partition))),
  );
  const mode = h(
    'select',
    { name: 'mode' },
    h('option', { value: 'newest' }, 'Newest'),
    h('option', { value: 'oldest' }, 'Oldest'),
    h('option', { value: 'offset' }, 'Offset'),
    h('option', { value: 'timestamp' }, 'Timestamp'),
  );
  const offset = h('input', { name: 'offset', type: 'number', min: 0, value: 0 });
  const when = h('input', { name: 'timestamp', type: 'datetime-local', step: 1 });
  const offsetField = field('Offset', offset);
  const whenField = field('Time (UTC)', when);
  const limit = h('input', { name: 'limit', type: 'number', min: 1, max: 200, value: 50 });
  const key = h('input', { name: 'key', type: 'search' });
  const text = h('input', { name: 'filter', type: 'search' });
  const format = h(
    'select',
    { name: 'format' },
    h('option', { value: 'text' }, 'Text'),
    h('option', { value: 'json' }, 'JSON (pretty)'),
    h('option', { value: 'hex' }, 'Hex'),
  );
  const tail = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Live tail');
  const out = h('div', { 'aria-live': 'polite' });
  const results = h('div');
  let records = [];
  let next = {};
  let tailing = false;

  const showMode = () => {
    offsetField.hidden = mode.value !== 'offset';
    whenField.hidden = mode.value !== 'timestamp';
  };
  mode.addEventListener('change', showMode);
  showMode();

  const query = (m) => {
    const q = new URLSearchParams({ partition: partition.value, mode: m, limit: limit.value });
    if (key.value) q.set('key', key.value);
    if (text.value) q.set('filter', text.value);
    if (m === 'offset') q.set('value', offset.value || '0');
    if (m === 'timestamp') q.set('value', String(when.value ? Date.parse(`${when.value}Z`) : 0));
    if (m === 'positions')
      q.set(
        'positions',
        Object.entries(next)
          .map(([p, o]) => `${p}:${o}`)
          .join(','),
      );
    return q;
  };
  const draw = () => {
    results.replaceChildren(
      records.length === 0
        ? h('p', { class: 'muted' }, 'No records.')
        : table(
            `Records of ${topic}`,
            ['Partition', 'Offset', 'Timestamp', 'Key', 'Value', 'Headers'],
            records.map((r) =>
              h(
                'tr',
                null,
                h('td', null, r.partition),
                h('th', { scope: 'row' }, r.offset),
                h('td', null, time(r.timestamp)),
                h('td', null, h('pre', null, formatBytes(r.key, format.value))),
                h(
                  'td',
                  null,
                  h('pre', null, formatBytes(r.value, format.value)),
                  r.truncated ? h('small', null, `(first 16 KiB of ${r.valueBytes} bytes)`) : null,
                ),
                h(
                  'td',
                  null,
                  r.headers.length === 0
                    ? '–'
                    : h(
                        'ul',
                        { class: 'headers' },
                        r.headers.map((x) =>
                          h('li', null, `${x.key}: ${formatBytes(x.value, format.value)}`),
                        ),
                      ),
                ),
              ),
            ),
          ),
    );
  };
  format.addEventListener('change', draw);

  const read = async (e) => {
    e?.preventDefault();
    out.replaceChildren();
    try {
      const r = await api(`/api/topics/${enc(topic)}/messages?${query(mode.value)}`);
      if (!ctx.active) return;
      records = r.records;
      next = r.next;
      draw();
      announce(`${records.length} records`);
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  const poll = async () => {
    if (!tailing) return;
    try {
      const r = await api(`/api/topics/${enc(topic)}/messages?${query('positions')}`);
      if (!ctx.active || !tailing) return;
      next = r.next;
      if (r.records.length > 0) {
        records = records.concat(r.records).slice(-TAIL_ROWS_MAX);
        draw();
      }
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  tail.addEventListener('click', async () => {
    tailing = !tailing;
    tail.setAttribute('aria-pressed', String(tailing));
    tail.textContent = tailing ? 'Stop live tail' : 'Live tail';
    announce(tailing ? 'Live tail on' : 'Live tail off');
    if (tailing && Object.keys(next).length === 0) await read();
  });
  ctx.every(1000, poll);

  ctx.main.replaceChildren(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/topics' }, 'Topics'),
      ' / ',
      h('a', { href: `#/topics/${enc(topic)}` }, topic),
      ' / ',
    ),
    h('h1', null, `Messages of ${topic}`),
    h(
      'form',
      { class: 'card', 'aria-label': 'Read records', onsubmit: read },
      h(
        'div',
        { class: 'grid' },
        field('Partition', partition),
        field('From', mode),
        offsetField,
        whenField,
        field('Records', limit),
        field('Key contains', key),
        field('Text contains', text),
        field('Show as', format),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Read'), tail),
    ),
    out,
    results,
    produceForm(topic, t.partitions),
  );
  await read();
}

function produceForm(topic, partitions) {
  const partition = h(
    'select',
    { name: 'produce-partition' },
    partitions.map((p) => h('option', { value: String(p.partition) }, String(p.partition))),
  );
  const key = h('input', { name: 'produce-key' });
  const value = h('textarea', { name: 'produce-value', rows: 4 });
  const headers = h('textarea', { name: 'produce-headers', rows: 2, placeholder: 'source=console' });
  const out = h('div', { 'aria-live': 'polite' });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'produce-h' },
    h('h2', { id: 'produce-h' }, 'Produce a test message'),
    h(
      'form',
      {
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const hs = headers.value
              .split('\n')
              .filter((l) => l.includes('='))
              .map((l) => ({ key: l.slice(0, l.indexOf('=')).trim(), value: l.slice(l.indexOf('=') + 1) }));
            const r = await api(`/api/topics/${enc(topic)}/messages`, {
              method: 'POST',
              body: {
                partition: Number(partition.value),
                key: key.value || null,
                value: value.value,
                headers: hs,
              },
            });
            out.replaceChildren(
              h('p', { class: 'ok' }, `Produced to partition ${r.partition} at offset ${r.offset}.`),
            );
          } catch (err) {
            out.replaceChildren(errorBox(err));
          }
        },
      },
      h(
        'div',
        { class: 'grid' },
        field('To partition', partition),
        field('Key', key, 'Empty for a null key'),
        field('Value', value),
        field('Headers', headers, 'One key=value per line'),
      ),
      h('button', { type: 'submit' }, 'Produce'),
      out,
    ),
  );
}
