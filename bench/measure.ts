import { cpus } from 'node:os';

/**
 * Shared timing for the bench scripts: warm up, then time single runs and report the median and
 * the spread (10th to 90th percentile) so one slow sample from a busy machine does not decide.
 */
export interface Timing {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
}

export function measure(fn: () => unknown, samples = 25, warmup = 5): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { medianMs: at(0.5), p10Ms: at(0.1), p90Ms: at(0.9) };
}

export async function measureAsync(fn: () => Promise<unknown>, samples = 25, warmup = 5): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { medianMs: at(0.5), p10Ms: at(0.1), p90Ms: at(0.9) };
}

/** MB/s (10^6 bytes) at the median, with the spread as the MB/s range. */
export function rate(bytes: number, t: Timing): string {
  const mbs = (ms: number): number => bytes / 1e6 / (ms / 1000);
  return `${mbs(t.medianMs).toFixed(0).padStart(6)} MB/s (${mbs(t.p90Ms).toFixed(0)}–${mbs(t.p10Ms).toFixed(0)})`;
}

export function environment(): string {
  return `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`;
}

/** About `n` bytes of JSON lines shaped like typical event records: repeated keys, varied values. */
export function recordLikeJson(n: number, seed = 1): Buffer {
  let x = seed >>> 0 || 1;
  const rand = (m: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % m;
  };
  const events = ['page_view', 'click', 'add_to_cart', 'purchase', 'login', 'logout'];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < n; i++) {
    const line = JSON.stringify({
      id: `evt-${(i * 2654435761) >>> 0}`,
      ts: 1_700_000_000_000 + i * 17 + rand(1000),
      user: {
        id: rand(100_000),
        country: ['DE', 'FR', 'US', 'JP', 'BR'][rand(5)],
        plan: rand(3) ? 'free' : 'pro',
      },
      event: events[rand(events.length)],
      amount: rand(4) === 0 ? rand(100_000) / 100 : null,
      session: rand(1 << 30).toString(36),
      path: `/products/${rand(5000)}/reviews?page=${rand(20)}`,
    });
    parts.push(line);
    size += line.length + 1;
  }
  return Buffer.from(parts.join('\n')).subarray(0, n);
}

/** The value after `name` on the command line (`--records 1000`), or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** The `q` quantile (0..1) of `xs` by the nearest-rank rule; `xs` is not modified. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** The upper median of `xs` (the middle element of an odd count, the higher middle of an even one). */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}
