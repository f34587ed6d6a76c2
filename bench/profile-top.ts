/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), as a markdown table, and
 * the same grouped by file (node_modules packages collapsed to their package name).
 *
 *   node --import tsx bench/profile-top.ts path/to/CPU.cpuprofile [N]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
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

const maps = new Map<string, SourceMap | null>();
/** dist/*.js positions back to the TypeScript source through the build's .map files. */
function original(url: string, line: number, col: number): { file: string; line: number } | null {
  if (!url.startsWith('file://')) return null;
  const js = fileURLToPath(url);
  let m = maps.get(js);
  if (m === undefined) {
    m = null;
    try {
      if (existsSync(js + '.map')) m = new SourceMap(JSON.parse(readFileSync(js + '.map', 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      m = null;
    }
    maps.set(js, m);
  }
  if (!m) return null;
  const e = m.findEntry(line, col) as { originalSource?: string; originalLine?: number };
  if (!e.originalSource || e.originalLine === undefined) return null;
  const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : path.resolve(path.dirname(js), e.originalSource);
  return { file: shortUrl(pathToFileURL(src).href), line: e.originalLine + 1 };
}

function packageOf(file: string): string {
  if (!file) return '(native / V8)';
  if (file.startsWith('node:')) return file;
  if (/^(dist|runtime|cli|bench)\//.test(file) || file.startsWith('[')) return file;
  const parts = file.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * Self time per function and per file (shares of the busy time: idle excluded), top `n` each.
 * Positions in the bundled dist/*.js are mapped back to the TypeScript sources.
 */
export function topSelf(profile: CpuProfile, n = 15): { functions: ProfileEntry[]; files: ProfileEntry[]; totalMs: number; idleMs: number } {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    const o = original(cf.url, cf.lineNumber, cf.columnNumber);
    const f = o ? o.file : shortUrl(cf.url);
    const line = o ? o.line : cf.lineNumber + 1;
    const key = `${cf.functionName || '(anonymous)'}${f ? ` ${f}:${line}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + dt);
    const pk = cf.functionName === '(garbage collector)' || cf.functionName === '(program)' ? cf.functionName : packageOf(f);
    file.set(pk, (file.get(pk) ?? 0) + dt);
  }
  const top = (m: Map<string, number>): ProfileEntry[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => ({ name, selfMs: ms, share: total > 0 ? ms / total : 0 }));
  return { functions: top(fn), files: top(file), totalMs: total, idleMs: idle };
}

export function renderProfile(file: string, n = 15): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const t = topSelf(p, n);
  const rows = (es: ProfileEntry[]) => es.map((e) => `| ${e.name.replace(/\|/g, '\\|')} | ${e.selfMs.toFixed(0)} | ${(e.share * 100).toFixed(1)}% |`).join('\n');
  return [
    `Profile ${path.basename(file)} (one thread): ${(t.totalMs / 1000).toFixed(2)} s busy, ${(t.idleMs / 1000).toFixed(2)} s idle; shares are of the busy time.`,
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
