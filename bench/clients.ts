/** Runs the two clients the benchmark compares, each in its own process on core 1. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaselineConfig, BaselineResult } from './baseline-client.ts';
import { CLI, llmperfNodeFlags, ROOT, runNode, type ChildResult } from './procs.ts';

export interface BaselineRun extends ChildResult {
  result: BaselineResult;
}

export async function runBaselineProc(cfg: BaselineConfig, timeoutMs: number): Promise<BaselineRun> {
  const r = await runNode(1, ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-client.ts'), JSON.stringify(cfg)], timeoutMs);
  if (r.code !== 0) throw new Error(`baseline client exited with ${r.code}: ${r.stderr.trim().slice(-500)}`);
  return { ...r, result: JSON.parse(r.stdout.trim().split('\n').pop()!) as BaselineResult };
}

/** The part of summary.json the benchmark reads. */
export interface SummaryLite {
  state: { testRunDurationMs: number };
  llm: { durationMs: number; requests: number; succeeded: number; failed: number; peakConcurrency: number };
  metrics: Record<string, { values: Record<string, number> }>;
  iterations: { completed: number; interrupted: number; dropped: number };
  vusMax: number;
}

export interface LlmperfRun extends ChildResult {
  summary: SummaryLite;
}

export const TREND_STATS = 'avg,p(50),p(90),p(99),max,count';

/**
 * `llmperf run <script> --url <url>` as a user types it (default outputs: the run directory with
 * requests.sqlite, placed next to `summaryFile` with --out-dir), plus --summary-export.
 * With `cpuProfDir`, the process also writes a .cpuprofile there.
 */
export async function runLlmperfCli(script: string, url: string, summaryFile: string, timeoutMs: number, opts: { cpuProfDir?: string; extra?: string[] } = {}): Promise<LlmperfRun> {
  const node = llmperfNodeFlags();
  if (opts.cpuProfDir) node.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  const args = [...node, CLI, 'run', script, '--url', url, '--no-test-connection', '--quiet', '--no-color', '--out-dir', runDirFor(summaryFile), '--summary-export', summaryFile, '--summary-trend-stats', TREND_STATS, ...(opts.extra ?? [])];
  const r = await runNode(1, args, timeoutMs);
  if (!existsSync(summaryFile)) throw new Error(`llmperf run exited with ${r.code} and wrote no summary: ${r.stderr.trim().slice(-800)}`);
  return { ...r, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as SummaryLite };
}

/** The run directory of a benchmark run: `x.json` -> `x-run/`. */
export function runDirFor(file: string): string {
  return file.replace(/\.[a-z]+$/, '') + '-run';
}

export interface RecordsRun extends ChildResult {
  exitCode: number;
  requests: number;
  durationMs: number;
}

/** The programmatic run() with a record listener and a run directory (bench/llmperf-records.ts). */
export async function runLlmperfRecords(script: string, url: string, recordsFile: string, timeoutMs: number, cpuProfDir?: string): Promise<RecordsRun> {
  const node = llmperfNodeFlags();
  if (cpuProfDir) node.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  const r = await runNode(1, [...node, '--import', 'tsx', path.join(ROOT, 'bench', 'llmperf-records.ts'), JSON.stringify({ script, url, recordsFile, outDir: runDirFor(recordsFile) })], timeoutMs);
  if (r.code !== 0) throw new Error(`llmperf (programmatic run) exited with ${r.code}: ${r.stderr.trim().slice(-800)}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { exitCode: number; requests: number; durationMs: number };
  return { ...r, ...o };
}

/** Summary trend value, NaN when absent. */
export function trend(s: SummaryLite, metric: string, stat: string): number {
  return s.metrics[metric]?.values[stat] ?? NaN;
}
