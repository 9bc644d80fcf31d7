// `node bench/cpuprofile.ts FILE.cpuprofile [N]`: where a server profile
// (--cpu-prof) spent its time: self time by function and by file, so a
// missed target can be explained without opening DevTools.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

function where(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

/** Self time per key over all samples, largest first. */
export function selfTimes(profile: Profile, key: (n: ProfileNode) => string): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const k = key(node);
    totals.set(k, (totals.get(k) ?? 0) + us);
    all += us;
  });
  return [...totals.entries()].map(([name, us]) => ({ name, ms: us / 1000, share: all > 0 ? us / all : 0 })).sort((a, b) => b.ms - a.ms);
}

export function byFunction(n: ProfileNode): string {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
}

export function byFile(n: ProfileNode): string {
  const f = n.callFrame;
  return f.url ? where(f.url).replace(/\/[^/]*$/, (m) => (f.url.includes('node_modules') ? '' : m)) : `(${f.functionName || 'native'})`;
}

if (import.meta.main) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/cpuprofile.ts FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const n = Number(count ?? 25);
  const show = (title: string, rows: SelfTime[]): void => {
    process.stdout.write(`${title}\n`);
    for (const r of rows.slice(0, n)) process.stdout.write(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}\n`);
  };
  show('self time by function', selfTimes(profile, byFunction));
  show('\nself time by file', selfTimes(profile, byFile));
}
