/**
 * Files of a `llmperf perf` run, laid out as evalscope does:
 *   <outputs-dir>/<YYYYMMDD_HHMMSS>/<name or model>/parallel_<P>_number_<N>[_rate_<R>]/
 *     benchmark_summary.json     evalscope's summary keys
 *     benchmark_percentile.json  evalscope's percentile rows
 *     benchmark_args.json        the options (API key and header values redacted)
 *     perf.ts                    the generated script (runnable with `llmperf run`)
 *     + llmperf's run directory: summary.json, requests.sqlite, report.html, ... (runtime/results)
 * and perf_summary.json (one object per run) beside the run folders.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { PerfOptions, PerfRun } from './config.ts';
import type { PerfResult } from './report.ts';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** The folder of this perf invocation. */
export function perfRoot(o: PerfOptions, now = new Date()): string {
  const name = (o.name ?? basename(o.model.replace(/[\\/]+$/, ''))).replace(/[<>:"|?*\\/]/g, '_') || 'perf';
  return resolve(o.noTimestamp ? join(o.outputsDir, name) : join(o.outputsDir, stamp(now), name));
}

export function runDirName(run: PerfRun): string {
  const conc = run.parallel === -1 ? 'open_loop' : `parallel_${run.parallel}`;
  return `${conc}_number_${run.number}${run.rate !== -1 ? `_rate_${run.rate}` : ''}`;
}

/** The options as stored: the API key and header values replaced. */
export function redactedArgs(o: PerfOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  if (o.apiKey !== undefined) out.apiKey = '[REDACTED]';
  out.headers = Object.fromEntries(Object.keys(o.headers).map((k) => [k, '[REDACTED]']));
  return out;
}

export function writeJson(file: string, data: unknown): void {
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}

/** Makes a run's folder and writes its script; returns the folder and the script's path. */
export function prepareRunDir(root: string, run: PerfRun, script: string): { dir: string; scriptPath: string } {
  const dir = join(root, runDirName(run));
  if (existsSync(join(dir, 'summary.json')) || existsSync(join(dir, 'requests.sqlite'))) {
    throw new ConfigError(`${dir} already holds the results of a run: remove it, or choose another --name or --outputs-dir (with --no-timestamp every run writes to the same folder)`);
  }
  mkdirSync(dir, { recursive: true });
  const scriptPath = join(dir, 'perf.ts');
  writeFileSync(scriptPath, script);
  return { dir, scriptPath };
}

export function writeRunFiles(dir: string, o: PerfOptions, r: PerfResult): void {
  writeJson(join(dir, 'benchmark_summary.json'), r.keys);
  writeJson(join(dir, 'benchmark_percentile.json'), r.percentiles);
  writeJson(join(dir, 'benchmark_args.json'), { ...redactedArgs(o), run: r.run });
}

export function writeSweepSummary(root: string, results: PerfResult[]): string {
  mkdirSync(root, { recursive: true });
  const file = join(root, 'perf_summary.json');
  writeJson(file, results.map((r) => ({ run: r.run, summary: r.keys, percentiles: r.percentiles })));
  return file;
}
