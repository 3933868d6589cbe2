// Small DOM and API helpers shared by the console's pages: no framework, no build step.

/** Creates an element: h('a', { href: '#/' }, 'text', child). Attributes starting with "on" are listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** An error the API answered: `name` is Kafka's error name or the console's (BAD_REQUEST ...). */
export class ApiError extends Error {
  constructor(status, name, message) {
    super(message);
    this.status = status;
    this.name = name;
  }
}

/** Calls the console API; rejects with ApiError on a 4xx/5xx answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: 'BAD_ANSWER', message: text };
  }
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new Event('strom:unauthenticated'));
    throw new ApiError(res.status, data?.error ?? `HTTP_${res.status}`, data?.message ?? res.statusText);
  }
  return data;
}

/** Announces a message to screen readers (the page's polite live region). */
export function announce(text) {
  const s = document.getElementById('status');
  if (s) s.textContent = text;
}

export function enc(s) {
  return encodeURIComponent(s);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function bytes(n) {
  if (n === null || n === undefined) return '–';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${UNITS[i]}`;
}

export function num(n, digits = 0) {
  if (n === null || n === undefined) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** An error shown in the page, announced to screen readers. */
export function errorBox(err) {
  const text = err instanceof ApiError ? `${err.name}: ${err.message}` : String(err?.message ?? err);
  return h('p', { class: 'error', role: 'alert' }, text);
}

let fieldIds = 0;

/**
 * A labelled form field: a <label for> its control (so the label is the control's whole
 * accessible name) and an optional hint the control is described by.
 */
export function field(label, control, hint) {
  if (!control.id) control.id = `f${++fieldIds}`;
  let note = null;
  if (hint) {
    note = h('small', { id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', note.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, note);
}

/** A table in a horizontally scrolling box (narrow screens), with a caption for assistive technology. */
export function table(caption, headers, rows) {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

/** Decodes base64 to bytes. */
export function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Shows record bytes as text, pretty JSON (text when they are no JSON) or hex. */
export function formatBytes(b64, format) {
  if (b64 === null) return 'null';
  const data = fromBase64(b64);
  if (format === 'hex') {
    const parts = [];
    for (let i = 0; i < data.length; i++) parts.push(data[i].toString(16).padStart(2, '0'));
    return parts.join(' ');
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  if (format === 'json') {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}
