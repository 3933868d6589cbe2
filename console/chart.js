import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777'];

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/**
 * A line chart in SVG: series = [{ name, points: [{ t, v }] }]. It is an image with a text
 * description (the last value of each series) for screen readers, and a legend.
 */
export function lineChart(title, series, format = (v) => v.toFixed(0)) {
  // Drawn at the width it is shown at (the page redraws charts as it refreshes), so text is never
  // stretched or shrunk.
  const W = Math.max(280, Math.min(1180, (document.getElementById('main')?.clientWidth ?? 640) - 52));
  const H = 180;
  const pad = { l: 76, r: 8, t: 10, b: 22 };
  const all = series.flatMap((x) => x.points);
  const last = series.map((x) => `${x.name} ${x.points.length ? format(x.points.at(-1).v) : 'no data'}`);
  const desc = `${title}: ${last.join(', ')}`;
  const fig = h('figure', { class: 'chart' }, h('figcaption', null, title));
  if (all.length < 2) {
    fig.append(h('p', { class: 'muted' }, 'Collecting samples… (one every 5 seconds)'));
    return fig;
  }
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const vmax = Math.max(1, ...all.map((p) => p.v));
  const x = (t) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - (v / vmax) * (H - pad.t - pad.b);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': desc,
    preserveAspectRatio: 'none',
  });
  for (const f of [0, 0.5, 1]) {
    const yy = y(vmax * f);
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: yy, y2: yy, class: 'grid' }));
    const label = s('text', { x: pad.l - 6, y: yy + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = format(vmax * f);
    svg.append(label);
  }
  const tl = s('text', { x: W - pad.r, y: H - 6, 'text-anchor': 'end', class: 'axis' });
  tl.textContent = new Date(t1).toLocaleTimeString('en-GB');
  svg.append(tl);
  series.forEach((ser, i) => {
    if (ser.points.length === 0) return;
    const d = ser.points.map((p, j) => `${j ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    svg.append(s('path', { d, fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2 }));
  });
  fig.append(svg);
  fig.append(
    h(
      'ul',
      { class: 'legend' },
      series.map((ser, i) =>
        h(
          'li',
          null,
          h('span', { class: 'swatch', 'data-color': i % COLORS.length, 'aria-hidden': 'true' }),
          `${ser.name}: ${ser.points.length ? format(ser.points.at(-1).v) : '–'}`,
        ),
      ),
    ),
  );
  return fig;
}
