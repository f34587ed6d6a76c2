/**
 * Files in, report.html out. writeReport reads a run directory: summary.json (required),
 * timeline.json (time series and distributions, optional), or the folder of a sweep or capacity
 * search: sweep.json (SweepPoint[], its levels) and capacity.json (the answer). writeSweepReport is
 * for the multi-run front doors (sweep, capacity), which also hand it each level's timeline.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, WriteError } from '../errors.ts';
import { RUN_FILES, writeFileAtomic } from '../results/run-dir.ts';
import type { SummaryData } from '../summary/data.ts';
import type { SweepMeta, SweepPoint } from './charts.ts';
import { renderReport } from './render.ts';
import type { TimelineData } from './timeline.ts';

export interface WriteReportOptions {
  /** where to write (default <runDir>/report.html) */
  out?: string;
  title?: string;
}

/** Rebuilds <runDir>/report.html (or opts.out) from the files in the run directory; returns the path written. */
export async function writeReport(runDir: string, opts: WriteReportOptions = {}): Promise<string> {
  const dir = path.resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`report: ${runDir} is not a directory: give the run directory (it holds summary.json)`);
  const sweep = readJson<SweepPoint[]>(dir, 'sweep.json', false);
  if (sweep !== undefined && (!Array.isArray(sweep) || sweep.some((p) => !p || typeof p.label !== 'string' || !p.summary))) {
    throw new ConfigError(`report: ${path.join(dir, 'sweep.json')} must be an array of {label, summary} objects`);
  }
  const summary = readJson<SummaryData>(dir, RUN_FILES.summary, !sweep?.length) ?? sweep![sweep!.length - 1]!.summary;
  if (!summary || typeof summary !== 'object' || !('llm' in summary)) throw new ConfigError(`report: ${path.join(dir, RUN_FILES.summary)} is not an llmperf summary (no "llm" section)`);
  const timeline = readJson<TimelineData>(dir, RUN_FILES.timeline, false);
  const capacity = sweep?.length ? readJson<{ answer?: string; capacity?: number | null; slos?: string[] }>(dir, 'capacity.json', false) : undefined;
  const meta: SweepMeta | undefined = capacity
    ? { kind: 'capacity', ...(capacity.answer ? { answer: capacity.answer } : {}), capacity: capacity.capacity ?? null, ...(capacity.slos ? { slos: capacity.slos } : {}) }
    : undefined;
  const html = renderReport({
    summary,
    ...(timeline && !sweep?.length ? { timeline } : {}),
    ...(sweep?.length ? { sweep, ...(meta ? { meta } : {}) } : {}),
    title: opts.title ?? `llmperf report — ${path.basename(dir)}`,
  });
  const out = path.resolve(opts.out ?? path.join(dir, RUN_FILES.report));
  writeAtomic(out, html);
  return out;
}

/** Writes the report of a multi-run: its verdict and duration, the levels table and curves, then each level's details. */
export async function writeSweepReport(file: string, points: SweepPoint[], opts: { title?: string; meta?: SweepMeta; timelines?: Array<TimelineData | undefined> } = {}): Promise<string> {
  if (!points.length) throw new ConfigError('sweep report: no levels to report (the multi-run produced no results)');
  const last = points[points.length - 1]!;
  const html = renderReport({
    summary: last.summary,
    sweep: points,
    ...(opts.timelines ? { timelines: opts.timelines } : {}),
    ...(opts.meta ? { meta: opts.meta } : {}),
    title: opts.title ?? 'llmperf sweep report',
  });
  const out = path.resolve(file);
  writeAtomic(out, html);
  return out;
}

function readJson<T>(dir: string, name: string, required: boolean): T | undefined {
  const p = path.join(dir, name);
  if (!existsSync(p)) {
    if (required) throw new ConfigError(`report: ${p} not found: give a run directory written by llmperf (it holds summary.json)`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as T;
  } catch (e) {
    throw new ConfigError(`report: ${p} is not valid JSON (${(e as Error).message})`);
  }
}

function writeAtomic(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, text);
  } catch (e) {
    throw e instanceof WriteError ? e : new WriteError(file, e);
  }
}
