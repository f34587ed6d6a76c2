/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), as a markdown table, and
 * the same grouped by file (node_modules packages collapsed to their package name).
 *
 *   node --import tsx bench/profile-top.ts path/to/CPU.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const p = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) return p.slice(nm + 'node_modules/'.length);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') + path.sep;
  return p.startsWith(root) ? p.slice(root.length) : p;
}

function packageOf(file: string): string {
  if (!file) return '(native / V8)';
  if (file.startsWith('node:')) return file;
  if (/^(dist|runtime|cli|bench)\//.test(file)) return file;
  const parts = file.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Self time per function and per file, sorted, top `n` each. */
export function topSelf(profile: CpuProfile, n = 15): { functions: ProfileEntry[]; files: ProfileEntry[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) continue;
    total += dt;
    const cf = node.callFrame;
    const f = shortUrl(cf.url);
    const key = `${cf.functionName || '(anonymous)'}${f ? ` ${f}:${cf.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + dt);
    const pk = cf.functionName === '(garbage collector)' || cf.functionName === '(idle)' || cf.functionName === '(program)' ? cf.functionName : packageOf(f);
    file.set(pk, (file.get(pk) ?? 0) + dt);
  }
  const top = (m: Map<string, number>): ProfileEntry[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => ({ name, selfMs: ms, share: total > 0 ? ms / total : 0 }));
  return { functions: top(fn), files: top(file), totalMs: total };
}

export function renderProfile(file: string, n = 15): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const t = topSelf(p, n);
  const rows = (es: ProfileEntry[]) => es.map((e) => `| ${e.name.replace(/\|/g, '\\|')} | ${e.selfMs.toFixed(0)} | ${(e.share * 100).toFixed(1)}% |`).join('\n');
  return [
    `Profile ${path.basename(file)}: ${(t.totalMs / 1000).toFixed(1)} s sampled.`,
    '',
    '| Function (self time) | ms | share |', '|---|---:|---:|', rows(t.functions),
    '',
    '| File / package (self time) | ms | share |', '|---|---:|---:|', rows(t.files),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const f = process.argv[2];
  if (!f) {
    process.stderr.write('usage: node --import tsx bench/profile-top.ts file.cpuprofile [N]\n');
    process.exit(2);
  }
  process.stdout.write(renderProfile(f, Number(process.argv[3] ?? 15)) + '\n');
}
