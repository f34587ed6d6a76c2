/**
 * Files in, report.html out. writeReport reads a run directory: summary.json (required),
 * timeline.json (time series and distributions, optional) and sweep.json (SweepPoint[] of a
 * multi-run, optional). writeSweepReport is for the multi-run front doors (perf --parallel a,b,c, sweep).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, WriteError } from '../errors.ts';
import { RUN_FILES, writeFileAtomic } from '../results/run-dir.ts';
import type { SummaryData } from '../summary/data.ts';
import type { SweepPoint } from './charts.ts';
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
  const html = renderReport({
    summary,
    ...(timeline ? { timeline } : {}),
    ...(sweep?.length ? { sweep, summaryHeading: `Details of the last level (${sweep[sweep.length - 1]!.label})` } : {}),
    title: opts.title ?? `llmperf report — ${path.basename(dir)}`,
  });
  const out = path.resolve(opts.out ?? path.join(dir, RUN_FILES.report));
  writeAtomic(out, html);
  return out;
}

/** Writes the report of a multi-run: the sweep table and curves, then the last level's details. */
export async function writeSweepReport(file: string, points: SweepPoint[], opts: { title?: string; timeline?: TimelineData } = {}): Promise<string> {
  if (!points.length) throw new ConfigError('sweep report: no levels to report (the multi-run produced no results)');
  const last = points[points.length - 1]!;
  const html = renderReport({
    summary: last.summary,
    sweep: points,
    ...(opts.timeline ? { timeline: opts.timeline } : {}),
    title: opts.title ?? 'llmperf sweep report',
    summaryHeading: `Details of the last level (${last.label})`,
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
