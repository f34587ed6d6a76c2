/**
 * The programmatic API: `import { run } from 'llmperf'`. The CLI's `llmperf run` is a thin layer
 * over this function; `perf`, `sweep` and `capacity` call it for each of their runs. It runs the
 * phases of runtime/engine/run.ts with a results session (run directory, --out outputs, progress)
 * and finishes with runtime/engine/finish.ts. Node must run with --no-node-snapshot (isolated-vm).
 */
import type { RunOptions as PublicRunOptions } from '../types/run.d.ts';
import { runTest, type RunRequest, type RunResult } from './engine/run.ts';
import { finishRun, type FinishOptions, type FinishedRun } from './engine/finish.ts';
import { ConfigError, LlmperfError } from './errors.ts';
import { ExitCode, type ExitCodeValue } from './exit-codes.ts';
import { redactUrl } from './secrets.ts';
import { prepareResults, type ResultsSession } from './results/session.ts';
import type { ProgressOptions } from './outputs/progress.ts';

/**
 * run()'s options: the public ones (types/run.d.ts, what a Node program passes) and what llmperf's own
 * commands add (a shared target, a scenario override, hooks, progress, run.json fields).
 */
export interface RunOptions
  extends Omit<RunRequest, 'script'>,
    Pick<PublicRunOptions, 'script' | 'color' | 'summaryExport' | 'save' | 'outDir' | 'name' | 'outputs'>,
    Pick<FinishOptions, 'onResult' | 'noSummary'> {
  /** live progress on stderr (default: none) */
  progress?: ProgressOptions | false;
  /** the command line, stored (redacted) in run.json */
  argv?: readonly string[];
  /** extra fields for run.json (already free of secrets) */
  runInfo?: Record<string, unknown>;
}

export type RunOutput = FinishedRun;

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
  return finishRun(result, {
    results: r,
    ...(opts.log ? { log: r?.log ?? opts.log } : {}),
    ...(opts.color !== undefined ? { color: opts.color } : {}),
    ...(opts.summaryExport ? { summaryExport: opts.summaryExport } : {}),
    ...(opts.onResult ? { onResult: opts.onResult } : {}),
    ...(opts.noSummary ? { noSummary: true } : {}),
  });
}

/** Maps any error to its exit code and a one-line (or few-line) message. */
export function errorExit(e: unknown): { exitCode: ExitCodeValue; message: string } {
  if (e instanceof LlmperfError) return { exitCode: e.exitCode, message: redactUrl(e.message) };
  const err = e as Error;
  return { exitCode: ExitCode.GENERIC, message: redactUrl(`unexpected error: ${err?.stack ?? String(e)}`) };
}

export type { SummaryData } from './summary/data.ts';
export { ExitCode } from './exit-codes.ts';
