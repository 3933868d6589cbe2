import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where a process spends its time: the functions with the most self time in a V8 `.cpuprofile`
 * (written by `node --cpu-prof`), as shares of the busy (non-idle) time. Run directly: `node cpu-profile-summary.js <file> [count]`.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  functionName: string;
  url: string;
  /**
   * For native functions (writev, writeBuffer, read), which have no source: the nearest caller in
   * Strom's own code, which tells a file write from a socket write.
   */
  calledFrom?: string;
  selfPercent: number;
}

const shortUrl = (url: string): string => url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');

export function topSelfTime(path: string, count = 15): SelfTime[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const projectCaller = (id: number): string | undefined => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const f = byNode.get(p)!.callFrame;
      if (f.url.includes('/dist/src/'))
        return `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    }
    return undefined;
  };
  // Weigh each sample by the time until the next one, as DevTools does, rather than by count.
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + us);
  }
  const byFunction = new Map<string, SelfTime>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const f = byNode.get(id)!.callFrame;
    // Shares are of the time the process was busy: idle time says nothing about where time goes.
    if (f.functionName === '(idle)') continue;
    total += us;
    const name = f.functionName || '(anonymous)';
    const url = shortUrl(f.url);
    const calledFrom = url === '' && !name.startsWith('(') ? projectCaller(id) : undefined;
    const key = `${name} ${url}:${f.lineNumber + 1} ${calledFrom ?? ''}`;
    const entry = byFunction.get(key) ?? {
      functionName: name,
      url: url ? `${url}:${f.lineNumber + 1}` : '',
      ...(calledFrom ? { calledFrom } : {}),
      selfPercent: 0,
    };
    entry.selfPercent += us;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()]
    .map((e) => ({ ...e, selfPercent: total > 0 ? (e.selfPercent / total) * 100 : 0 }))
    .sort((a, b) => b.selfPercent - a.selfPercent)
    .slice(0, count);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: cpu-profile-summary.js <file.cpuprofile> [count]');
    process.exit(2);
  }
  for (const e of topSelfTime(file, Number(process.argv[3] ?? 20))) {
    const where = e.calledFrom ? `from ${e.calledFrom}` : e.url;
    console.log(`${e.selfPercent.toFixed(1).padStart(5)}%  ${e.functionName}  ${where}`);
  }
}
