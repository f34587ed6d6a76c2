/**
 * The run directory: `llmperf-results/<name>-<YYYYmmdd-HHMMSS>/` (or --out-dir), and the small
 * files in it (summary.json, run.json, metrics.hdr, timeline.json), written atomically
 * (temp file + rename) so a reader never sees half a file. See docs/results.md for the layout.
 */
import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, WriteError } from '../errors.ts';

export const RESULTS_ROOT = 'llmperf-results';

export const RUN_FILES = {
  summary: 'summary.json',
  requests: 'requests.sqlite',
  metrics: 'metrics.hdr',
  timeline: 'timeline.json',
  report: 'report.html',
  run: 'run.json',
} as const;

/** `20250131-235959` in local time. */
export function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A name safe in a folder name: letters, digits, `._-`; script extensions dropped. */
export function safeName(name: string): string {
  const base = name.replace(/\.(m|c)?(t|j)s$/i, '');
  const s = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return s || 'run';
}

/**
 * Creates the run directory and returns its path. With `outDir`, exactly that directory (created
 * if missing; refused when it already holds a run). Otherwise `<root>/<name>-<stamp>[-N]`.
 */
export function createRunDir(opts: { outDir?: string; name: string; root?: string; now?: Date }): string {
  if (opts.outDir) {
    const dir = path.resolve(opts.outDir);
    if (existsSync(path.join(dir, RUN_FILES.requests)) || existsSync(path.join(dir, RUN_FILES.summary))) {
      throw new ConfigError(`--out-dir ${opts.outDir} already holds a run (${RUN_FILES.summary} or ${RUN_FILES.requests}): choose an empty or new folder`);
    }
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new ConfigError(`cannot create --out-dir ${opts.outDir}: ${(e as Error).message}`);
    }
    return dir;
  }
  const root = path.resolve(opts.root ?? RESULTS_ROOT);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new ConfigError(`cannot create the results folder ${root}: ${(e as Error).message} (use --out-dir or --no-save)`);
  }
  const base = `${safeName(opts.name)}-${timestamp(opts.now ?? new Date())}`;
  for (let i = 1; i < 1000; i++) {
    const dir = path.join(root, i === 1 ? base : `${base}-${i}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create the run directory ${dir}: ${(e as Error).message}`);
    }
  }
  throw new ConfigError(`too many runs named ${base} in ${root}`);
}

/**
 * Writes `text` to `file` atomically: the whole text or, when writing fails (a full disk, a read-only
 * folder), nothing at all (the temporary file is removed) and a WriteError (exit 104) naming the file
 * and why.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw new WriteError(file, e);
  }
}

export function writeJson(file: string, v: unknown, pretty = true): void {
  writeFileAtomic(file, JSON.stringify(v, null, pretty ? 2 : undefined) + '\n');
}
