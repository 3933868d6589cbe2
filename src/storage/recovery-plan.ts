/**
 * Which segments of a partition need the full recovery scan at load. After a clean shutdown none
 * (indexes are trusted, checked lazily); otherwise every segment holding offsets at or past the
 * recovery point, which is the last offset known to be fsynced (Kafka's LogLoader.recoverLog).
 */
export function segmentsToRecover(
  baseOffsets: readonly number[],
  recoveryPoint: number,
  hadCleanShutdown: boolean,
): number[] {
  if (hadCleanShutdown || baseOffsets.length === 0) return [];
  const out: number[] = [];
  for (let i = 0; i < baseOffsets.length; i++) {
    const next = i + 1 < baseOffsets.length ? baseOffsets[i + 1]! : Number.POSITIVE_INFINITY;
    if (next > recoveryPoint) out.push(baseOffsets[i]!);
  }
  return out;
}

export interface SegmentFileNames {
  /** Base offsets of complete segments (`.log`). */
  logs: number[];
  /** Files to remove: `.cleaned` and `.deleted` leftovers, and stray temporary files. */
  remove: string[];
  /** `.swap` files: cleaned segments whose swap was interrupted; finish it by renaming. */
  swaps: string[];
}

/** Sorts a partition directory's file names into what start-up does with each. */
export function classifySegmentFiles(names: readonly string[]): SegmentFileNames {
  const logs: number[] = [];
  const remove: string[] = [];
  const swaps: string[] = [];
  for (const name of names) {
    if (name.endsWith('.deleted') || name.endsWith('.cleaned') || name.endsWith('.tmp')) remove.push(name);
    else if (name.endsWith('.swap')) swaps.push(name);
    else if (/^\d{20}\.log$/.test(name)) logs.push(Number(name.slice(0, 20)));
  }
  logs.sort((a, b) => a - b);
  return { logs, remove, swaps };
}
