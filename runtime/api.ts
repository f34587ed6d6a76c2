/**
 * The programmatic API: `import { run } from 'llmperf'`. The CLI's `llmperf run` is a thin layer
 * over this function. Node must run with --no-node-snapshot (isolated-vm).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { runTest, type RunRequest, type RunResult } from './engine/run.ts';
import { ConfigError, LlmperfError } from './errors.ts';
import { ExitCode, type ExitCodeValue } from './exit-codes.ts';
import { buildSummary, type SummaryData } from './summary/data.ts';
import { renderTextSummary } from './summary/text.ts';
import { prepareResults, type ResultsSession } from './outputs/index.ts';
import type { ProgressOptions } from './outputs/progress.ts';

export interface RunOptions extends Omit<RunRequest, 'script'> {
  /** a script path, or { source } for inline TypeScript/JavaScript */
  script: string | { source: string; filename?: string; baseDir?: string };
  /** colour in the text summary (default: false) */
  color?: boolean;
  /** also write the summary JSON here (k6's --summary-export) */
  summaryExport?: string;
  /** called with the run result before the isolates close (run directory writers) */
  onResult?: (r: RunResult, summary: SummaryData) => void | Promise<void>;
  /** keep a run directory (summary.json, requests.sqlite, metrics.hdr, report.html, ...); default false here, true for `llmperf run` */
  save?: boolean;
  /** the exact run directory (implies save); else llmperf-results/<name>-<YYYYmmdd-HHMMSS>/ */
  outDir?: string;
  /** run name used in the run directory's name (default: options.name, else the script's file name) */
  name?: string;
  /** streaming outputs, as `--out`: ["json=points.jsonl", "csv=points.csv"] */
  outputs?: string[];
  /** live progress on stderr (default: none) */
  progress?: ProgressOptions | false;
  /** the command line, stored (redacted) in run.json */
  argv?: readonly string[];
  /** extra fields for run.json (already free of secrets) */
  runInfo?: Record<string, unknown>;
}

export interface RunOutput {
  exitCode: ExitCodeValue;
  summary: SummaryData;
  /** the text summary (what `llmperf run` prints), or handleSummary's stdout */
  stdout: string;
  stderr: string;
  /** files written by handleSummary or --summary-export */
  files: string[];
  /** the run directory, when saved */
  runDir?: string;
}

export async function run(opts: RunOptions): Promise<RunOutput> {
  const script = typeof opts.script === 'string' ? { path: opts.script } : opts.script;
  if (opts.save === false && opts.outDir !== undefined) throw new ConfigError('outDir (--out-dir) and save: false (--no-save) contradict each other: give one of them');
  const save = opts.save ?? opts.outDir !== undefined;
  let results: ResultsSession | undefined;
  if (save || opts.outputs?.length || opts.progress) {
    results = await prepareResults({
      save,
      ...(opts.outDir !== undefined ? { outDir: opts.outDir } : {}),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.outputs ? { outputs: opts.outputs } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.argv ? { argv: opts.argv } : {}),
      ...(opts.runInfo ? { runInfo: opts.runInfo } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }
  const r = results;
  let result: RunResult;
  try {
    result = await runTest({
      ...opts,
      script,
      ...(r
        ? {
            listeners: [...(opts.listeners ?? []), ...r.listeners],
            log: r.log,
            onStart: async (i) => {
              await r.onStart(i);
              await opts.onStart?.(i);
            },
            onTick: (t) => {
              r.onTick(t);
              opts.onTick?.(t);
            },
          }
        : {}),
    });
  } catch (e) {
    await r?.abort();
    throw e;
  }
  const files: string[] = [];
  try {
    const summary = buildSummary(result);
    await r?.finish(result, summary);
    await opts.onResult?.(result, summary);
    let stdout = renderTextSummary(summary, { color: opts.color ?? false, timeUnit: result.options.summaryTimeUnit });
    let stderr = '';
    if (result.handleSummary) {
      const custom = await result.handleSummary(JSON.stringify(summary));
      if (custom) {
        stdout = '';
        for (const [k, v] of Object.entries(custom)) {
          const text = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
          if (k === 'stdout') stdout = text;
          else if (k === 'stderr') stderr = text;
          else {
            const p = path.resolve(result.bundle.baseDir === '' ? process.cwd() : process.cwd(), k);
            mkdirSync(path.dirname(p), { recursive: true });
            writeFileSync(p, text);
            files.push(p);
          }
        }
      }
    }
    if (opts.summaryExport) {
      const p = path.resolve(opts.summaryExport);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, JSON.stringify(summary, null, 2));
      files.push(p);
    }
    return { exitCode: result.exitCode, summary, stdout, stderr, files, ...(r?.runDir ? { runDir: r.runDir } : {}) };
  } finally {
    await r?.abort(); // no-op after finish(); closes the store and outputs if the summary failed
    await result.close();
  }
}

/** Maps any error to its exit code and a one-line (or few-line) message. */
export function errorExit(e: unknown): { exitCode: ExitCodeValue; message: string } {
  if (e instanceof LlmperfError) return { exitCode: e.exitCode, message: e.message };
  const err = e as Error;
  return { exitCode: ExitCode.GENERIC, message: `unexpected error: ${err?.stack ?? String(e)}` };
}

export type { SummaryData } from './summary/data.ts';
export { ExitCode } from './exit-codes.ts';
