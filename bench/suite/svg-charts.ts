/**
 * Small SVG charts for docs/benchmarks.md, written by hand so the report needs no plotting
 * library: horizontal bars for throughput and percentile curves for latency.
 */
const PALETTE = ['#2f6fb0', '#d9822b', '#3a9a5b', '#b84a4a', '#7a5ab5', '#8c6d46', '#c05fa0', '#6b7b8c'];
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export interface Bar {
  label: string;
  value: number;
  /** Bars of one group share a colour (e.g. the system measured). */
  group: string;
}

export function barChart(title: string, unit: string, bars: Bar[]): string {
  const labelW = 280;
  const plotW = 420;
  const rowH = 22;
  const top = 34;
  const height = top + bars.length * rowH + 30;
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const groups = [...new Set(bars.map((b) => b.group))];
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, (b.value / max) * plotW);
    const color = PALETTE[groups.indexOf(b.group) % PALETTE.length];
    return (
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"/>` +
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 15}">${fmt(b.value)}</text>`
    );
  });
  const width = labelW + plotW + 70;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<title>${esc(title)} (${esc(unit)})</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)} (${esc(unit)})</text>`,
    ...rows,
    `<line x1="${labelW}" y1="${top}" x2="${labelW}" y2="${top + bars.length * rowH}" stroke="#444"/>`,
    '</svg>',
    '',
  ].join('\n');
}

export interface Series {
  label: string;
  /** [percentile, ms] pairs, percentiles ascending. */
  curve: [number, number][];
}

/** Latency by percentile: x is the "nines" scale (-log10(1 - p)), y is logarithmic in ms. */
export function percentileChart(title: string, series: Series[]): string {
  const left = 60;
  const top = 34;
  const plotW = 520;
  const plotH = 300;
  const legendW = 300;
  const nines = (p: number): number => -Math.log10(Math.max(1e-5, 1 - p / 100));
  const xMax = nines(99.99);
  const values = series.flatMap((s) => s.curve.map(([, ms]) => ms)).filter((v) => v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.001, Math.min(...values, 1))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values, yMin * 10)));
  const x = (p: number): number => left + (Math.min(nines(p), xMax) / xMax) * plotW;
  const y = (ms: number): number =>
    top +
    plotH -
    ((Math.log10(Math.max(ms, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const grid: string[] = [];
  for (const p of [0, 90, 99, 99.9, 99.99]) {
    grid.push(
      `<line x1="${x(p).toFixed(1)}" y1="${top}" x2="${x(p).toFixed(1)}" y2="${top + plotH}" stroke="#ddd"/>`,
      `<text x="${x(p).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">p${p}</text>`,
    );
  }
  for (let v = yMin; v <= yMax * 1.0001; v *= 10) {
    grid.push(
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + plotW}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  const lines = series.map((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.curve
      .filter(([p]) => p < 100)
      .map(([p, ms]) => `${x(p).toFixed(1)},${y(ms).toFixed(1)}`)
      .join(' ');
    const ly = top + 14 + i * 18;
    return (
      `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>` +
      `<rect x="${left + plotW + 20}" y="${ly - 9}" width="12" height="12" fill="${color}"/>` +
      `<text x="${left + plotW + 38}" y="${ly + 1}">${esc(s.label)}</text>`
    );
  });
  const width = left + plotW + legendW;
  const height = Math.max(top + plotH + 30, top + series.length * 18 + 20);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...grid,
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">ms (log scale)</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}
