/**
 * The files a script needs on another machine: its source and local imports (what esbuild bundled,
 * from the bundle's source map), the data files it names in string literals (`openqa('./data/q.jsonl')`,
 * `open('prompts.txt')`: paths that exist relative to the script's folder, as the runtime resolves
 * them) and any files given explicitly. Paths are kept relative to the files' common folder, so
 * the script finds its data where it expects it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { bundleScript } from '../bundle/bundle.ts';
import { ConfigError } from '../errors.ts';

export interface ScriptFile {
  /** path relative to `root`, with forward slashes */
  rel: string;
  abs: string;
  content: Buffer;
  /** why it is shipped */
  reason: 'script' | 'import' | 'data' | 'explicit';
}

export interface ScriptFiles {
  /** the common folder of every file */
  root: string;
  /** the entry script, relative to root */
  entry: string;
  files: ScriptFile[];
}

/** String literals in JS/TS source ('...', "...", `...` without ${}); good enough to spot paths. */
function stringLiterals(src: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`/g;
  for (let m = re.exec(src); m; m = re.exec(src)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function commonDir(paths: string[]): string {
  let dir = path.dirname(paths[0]!);
  for (const p of paths) {
    while (path.relative(dir, p).startsWith('..') || path.isAbsolute(path.relative(dir, p))) dir = path.dirname(dir);
  }
  return dir;
}

export async function collectScriptFiles(script: string, extra: string[] = []): Promise<ScriptFiles> {
  const bundle = await bundleScript({ path: script });
  const entryAbs = bundle.entry;
  const baseDir = bundle.baseDir;
  const map = JSON.parse(bundle.map) as { sources: string[] };
  const byAbs = new Map<string, ScriptFile['reason']>([[entryAbs, 'script']]);
  for (const s of map.sources) {
    if (s.startsWith('llmperf:')) continue; // virtual modules
    const abs = path.resolve(baseDir, s);
    if (isFile(abs) && !byAbs.has(abs)) byAbs.set(abs, 'import');
  }
  // data files named in the sources, relative to the script's folder (as open() and datasets resolve them)
  for (const src of [...byAbs.keys()]) {
    if (!/\.[cm]?[jt]sx?$/.test(src)) continue;
    for (const lit of stringLiterals(readFileSync(src, 'utf8'))) {
      if (!lit || lit.length > 500 || path.isAbsolute(lit) || /^[a-z]+:/i.test(lit) || lit.includes('\\')) continue;
      if (!/[./]/.test(lit)) continue;
      const abs = path.resolve(baseDir, lit);
      if (!byAbs.has(abs) && isFile(abs)) byAbs.set(abs, 'data');
    }
  }
  for (const e of extra) {
    const abs = path.resolve(e);
    if (!existsSync(abs)) throw new ConfigError(`--file ${e}: no such file`);
    if (!isFile(abs)) throw new ConfigError(`--file ${e}: not a file (give each file; folders are not shipped)`);
    byAbs.set(abs, byAbs.get(abs) ?? 'explicit');
  }
  const all = [...byAbs.keys()];
  const root = commonDir(all);
  const files: ScriptFile[] = all.map((abs) => ({
    abs,
    rel: path.relative(root, abs).split(path.sep).join('/'),
    content: readFileSync(abs),
    reason: byAbs.get(abs)!,
  }));
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { root, entry: path.relative(root, entryAbs).split(path.sep).join('/'), files };
}
