/**
 * Everything a run leaves behind, wired in one place by the programmatic run() (runtime/api.ts; so
 * also `llmperf run`, `perf` and `sweep`): the run directory (summary.json, requests.sqlite, metrics.hdr, timeline.json,
 * report.html, run.json), `--out` streaming outputs and live progress.
 *
 *   const res = await prepareResults({ save: true, outputs: ['json=points.jsonl'], log });
 *   // the run gets res.listeners, res.log, res.onStart and res.onTick
 *   ... await res.finish(result, summary)   // or res.abort() when the run threw
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SampleListener } from '../engine/emitter.ts';
import type { RunResult, RunStartInfo, RunTick } from '../engine/run.ts';
import { VERSION, type SummaryData } from '../summary/data.ts';
import { createOutputs, parseOutSpec } from '../outputs/kinds.ts';
import type { Output } from '../outputs/output.ts';
import { Progress, type ProgressOptions } from '../outputs/progress.ts';
import { Timeline, writeReport } from '../report/index.ts';
import { redactArgv, redactDeep, redactUrl } from '../secrets.ts';
import { createRunDir, RUN_FILES, writeJson, writeFileAtomic } from './run-dir.ts';
import { RequestStore } from './store.ts';
import { ExitCode } from '../exit-codes.ts';
import { fsReason, WriteError } from '../errors.ts';

export interface ResultsOptions {
  /** keep a run directory (default true) */
  save?: boolean;
  /** exact run directory (else llmperf-results/<name>-<stamp>/) */
  outDir?: string;
  /** parent of generated run directories (default ./llmperf-results) */
  resultsRoot?: string;
  /** run name in the directory name (else options.name, else the script's file name) */
  name?: string;
  /** `--out` specs: ["json=points.jsonl", "csv=points.csv"] */
  outputs?: string[];
  /** live progress; false/undefined = none */
  progress?: ProgressOptions | false;
  /** the command line, stored redacted in run.json */
  argv?: readonly string[];
  /** extra fields for run.json (already free of secrets) */
  runInfo?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface ResultsSession {
  /** attach to the run (RunRequest.listeners) */
  listeners: SampleListener[];
  /** the run's log, wrapped so progress redraws don't garble it */
  log: (line: string) => void;
  onStart(info: RunStartInfo): Promise<void>;
  onTick(t: RunTick): void;
  /**
   * Closes outputs and the store, writes summary.json, metrics.hdr, timeline.json, report.html and,
   * last, run.json with `exitCode` (default result.exitCode) — or, for a file that cannot be written
   * (a full disk, a read-only folder), nothing of it: the failures are returned, one line each.
   */
  finish(result: RunResult, summary: SummaryData, exitCode?: number): Promise<string[]>;
  /** the run failed after it started: close what is open, keep what was written */
  abort(): Promise<void>;
  /** set once the run started (undefined with save: false) */
  readonly runDir: string | undefined;
}

/** Queues samples and records that arrive before the run directory and outputs exist (setup()). */
export async function prepareResults(opts: ResultsOptions): Promise<ResultsSession> {
  const baseLog = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  for (const spec of opts.outputs ?? []) parseOutSpec(spec); // unknown kinds fail before anything is created
  const save = opts.save !== false;
  const progress = opts.progress ? new Progress(opts.progress) : undefined;
  const log = progress ? progress.wrapLog(baseLog) : baseLog;
  const timeline = save ? new Timeline() : undefined;
  let outputs: Output[] = [];
  let store: RequestStore | undefined;
  let runDir: string | undefined;
  let runJson: Record<string, unknown> = {};
  let closed = false;
  /** the first failure of the store's writer (a full disk): reported again at the end */
  let storeError: string | undefined;

  const closeStreams = async (end?: { exitCode: number; stopReason: string }) => {
    if (closed) return;
    closed = true;
    const results = await Promise.allSettled([
      ...outputs.map(async (o) => {
        await o.flush?.();
        await o.close();
      }),
      store?.close(end ? { ...end, endedAt: new Date().toISOString() } : undefined),
    ]);
    for (const r of results) if (r.status === 'rejected') log(`WARN closing an output failed: ${(r.reason as Error)?.message ?? String(r.reason)}`);
  };

  const session: ResultsSession = {
    listeners: progress ? [progress] : [],
    log,
    get runDir() {
      return runDir;
    },
    async onStart(info) {
      const script = info.bundle.entry;
      const name = opts.name ?? info.options.name ?? (script === '<inline>' ? 'inline' : path.basename(script).replace(/\.(m|c)?(t|j)s$/i, ''));
      const startedAt = new Date();
      if (save) {
        const existed = opts.outDir !== undefined && existsSync(opts.outDir);
        runDir = createRunDir({ ...(opts.outDir ? { outDir: opts.outDir } : {}), name, ...(opts.resultsRoot ? { root: opts.resultsRoot } : {}), now: startedAt });
        runJson = {
          llmperf: VERSION,
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          runId: path.basename(runDir),
          name,
          script,
          cwd: process.cwd(),
          argv: opts.argv ? redactArgv(opts.argv) : null,
          startedAt: startedAt.toISOString(),
          target: { url: redactUrl(info.targetUrl), embeddedMock: info.embeddedMock },
          options: redactDeep({ ...info.options, scenarios: info.plans.map((p) => ({ ...p.scenario, plan: p.plan.description })) }),
          scriptOptions: redactDeep(info.scriptOptions),
          ...(opts.runInfo ?? {}),
        };
        try {
          writeJson(path.join(runDir, RUN_FILES.run), runJson);
        } catch (e) {
          // nothing of the run is left behind: not even the folder, when it was made for it
          if (!existed) rmSync(runDir, { recursive: true, force: true });
          runDir = undefined;
          throw e;
        }
        store = new RequestStore(path.join(runDir, RUN_FILES.requests), path.basename(runDir), (l) => {
          storeError ??= `${path.join(runDir!, RUN_FILES.requests)}: ${l.replace(/^WARN requests\.sqlite: /, '')}`;
          log(l);
        });
        try {
          store.open({ name, script, startedAt: startedAt.toISOString(), targetUrl: redactUrl(info.targetUrl), options: runJson.options, llmperfVersion: VERSION });
        } catch (e) {
          store = undefined;
          throw new WriteError(path.join(runDir, RUN_FILES.requests), e);
        }
      }
      outputs = await createOutputs(opts.outputs ?? [], { runDir, log });
      for (const o of outputs) await o.start?.(info);
      progress?.start(info);
      for (const l of [...(store ? [store] : []), ...(timeline ? [timeline] : []), ...outputs]) info.attach(l);
    },
    onTick(t) {
      progress?.onTick(t);
    },
    async finish(result, summary, exitCode = result.exitCode) {
      progress?.finish(result.stopReason, result.durationMs);
      const failures: string[] = [];
      const attempt = async (what: string, f: () => unknown): Promise<void> => {
        try {
          await f();
        } catch (e) {
          failures.push(e instanceof WriteError ? e.message : `${what}: ${fsReason(e)}`);
        }
      };
      await closeStreams({ exitCode, stopReason: result.stopReason });
      if (storeError) failures.push(storeError);
      if (!runDir) return failures;
      const dir = runDir;
      await attempt(RUN_FILES.summary, () => writeJson(path.join(dir, RUN_FILES.summary), summary));
      await attempt(RUN_FILES.metrics, () => writeFileAtomic(path.join(dir, RUN_FILES.metrics), JSON.stringify(result.registry.encode()) + '\n'));
      if (timeline) {
        await attempt(RUN_FILES.timeline, () => writeJson(path.join(dir, RUN_FILES.timeline), timeline.toJSON(), false));
        if (failures.length === 0) await attempt(RUN_FILES.report, () => writeReport(dir));
      }
      // run.json last: the exit code it records is the one the process ends with
      const code = failures.length && exitCode === 0 ? ExitCode.INVALID_CONFIG : exitCode;
      await attempt(RUN_FILES.run, () => writeJson(path.join(dir, RUN_FILES.run), { ...runJson, endedAt: new Date().toISOString(), exitCode: code, stopReason: result.stopReason }));
      return failures;
    },
    async abort() {
      progress?.finish('failed');
      await closeStreams();
    },
  };
  return session;
}
