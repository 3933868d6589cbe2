/**
 * Drives a load generator for a fixed time, either as fast as the system answers (`window`
 * sends outstanding) or at a fixed rate. At a fixed rate the sends due since the last timer tick
 * go out together, because Node's timers do not fire more often than once a millisecond.
 */
export interface PaceOptions {
  durationMs: number;
  /** Bytes per second; 0 for as fast as possible. */
  rateBytesPerSec: number;
  /** Bytes one send carries, to turn the rate into sends per second. */
  unitBytes: number;
  /** Sends outstanding at once: the pipeline depth at max rate, a safety cap at a fixed rate. */
  window: number;
  /** Stop after this many sends even before the time is up (a backlog of a given size). */
  maxSends?: number;
}

export interface PaceResult {
  sends: number;
  seconds: number;
  /** Sends skipped at a fixed rate because `window` were still outstanding (the system fell behind). */
  skipped: number;
}

export async function pace(options: PaceOptions, send: () => Promise<void>): Promise<PaceResult> {
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;
  const maxSends = options.maxSends ?? Number.POSITIVE_INFINITY;
  let sends = 0;
  let skipped = 0;
  let outstanding = 0;
  let failure: unknown;
  let started = 0;
  if (options.rateBytesPerSec <= 0) {
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline && started < maxSends) {
        started++;
        await send();
        sends++;
      }
    };
    await Promise.all(Array.from({ length: options.window }, worker));
  } else {
    const perSecond = options.rateBytesPerSec / options.unitBytes;
    let due = 0;
    for (let now = performance.now(); now < deadline; now = performance.now()) {
      const target = Math.floor(((now - t0) / 1000) * perSecond);
      for (; due < target; due++) {
        if (outstanding >= options.window) {
          skipped++;
          continue;
        }
        outstanding++;
        sends++;
        send().then(
          () => {
            outstanding--;
          },
          (err: unknown) => {
            outstanding--;
            failure ??= err;
          },
        );
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    while (outstanding > 0) await new Promise((r) => setTimeout(r, 1));
    if (failure !== undefined) throw failure;
  }
  return { sends, seconds: (performance.now() - t0) / 1000, skipped };
}
