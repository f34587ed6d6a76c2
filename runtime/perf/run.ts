/**
 * `llmperf perf`, start to end: validate the evalscope-style options, probe the target (or start the
 * built-in mock), then for every run of the sweep generate a script and run it with runtime/api.ts's
 * run() (the same engine as `llmperf run`), print evalscope's tables and write the run's files.
 */
import { randomInt } from 'node:crypto';
import { writeFileAtomic } from '../results/run-dir.ts';
import { basename, join, resolve } from 'node:path';
import { run, type RunOptions } from '../api.ts';
import { summaryLevel, withHooks, type Dashboard } from '../dashboard/index.ts';
import { ConfigError, LlmperfError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { isPluginSpec } from '../llm/registry.ts';
import { openTarget, type Target } from '../engine/target.ts';
import { resolveOptions } from '../options/resolve.ts';
import type { Overrides } from '../options/resolve.ts';
import { EvalscopeAccumulator, fromRecord } from '../summary/evalscope.ts';
import { isBatchApi, planRuns, scenarioFor, scheduleSeed, warmupCount, PERF_TREND_STATS, DEFAULT_TOTAL_TIMEOUT_S, type PerfOptions, type PerfRun } from './config.ts';
import { ConversationCache, SpeedTable } from './workloads.ts';
import { readWorkloadTrace } from '../datasets/workload-trace.ts';
import { resolveDataFile } from '../datasets/read.ts';
import { checkApi, endpointOf, readPrompt, readTemplate, requestUrl } from './inputs.ts';
import { claimPerfRoot, modelId, perfRoot, prepareRunDir, redactedArgs, teeLog, writeRunFiles, writeSweepSummary } from './outputs.ts';
import { foldersBefore, removeFailedOutputs } from './cleanup.ts';
import { progressListener } from './progress.ts';
import { renderRun, renderSweep, toResult, type PerfResult } from './report.ts';
import { generateScript, type PerfEndpoint } from './script.ts';
import { renderPerformanceSummary } from './summary-txt.ts';
import { runSla } from './sla.ts';
import { checkVisualizer, startVisualizer, type PerfVisualizer } from './visualizer.ts';
import { sleepFor } from '../abort-hooks.ts';
import { redactUrl } from '../secrets.ts';

/** evalscope's documented network timeouts, seconds (used when --connect-timeout / --read-timeout are not given). */
export const DEFAULT_CONNECT_TIMEOUT_S = 600;
export const DEFAULT_READ_TIMEOUT_S = 600;
/** The connection test waits at most this long for the answer to its request (a silent server fails fast). */
export const PROBE_ANSWER_TIMEOUT_S = 60;

export interface PerfIO {
  /** progress lines, notes, warnings (stderr in the CLI) */
  log(line: string): void;
  /** the tables (stdout in the CLI) */
  out(text: string): void;
  signal?: AbortSignal;
  hardSignal?: AbortSignal;
  /** the command line, for the generated script's header (secrets removed) */
  commandLine: string;
  /** folder relative paths (dataset, prompt, template, plugins) resolve against (default: cwd) */
  baseDir?: string;
  /** the raw command line, stored redacted in each run directory's run.json */
  argv?: readonly string[];
  /** the live dashboard (--dashboard): every measured run feeds it */
  dashboard?: Dashboard;
}

export interface PerfOutcome {
  exitCode: ExitCodeValue;
  results: PerfResult[];
  /** folder the files were written to */
  root: string;
}

/** The perf run's target: the engine's (opened once for every run of a sweep) and the endpoint the prompts use. */
interface PerfTarget {
  target: Target;
  /** the URL requests go to (the full endpoint, or the mock's base URL) */
  url: string;
  /** options.llm.api of the runs: a built-in name, or the plugin file (absolute) */
  api: string;
  endpoint: PerfEndpoint;
  close(): Promise<void>;
}

/**
 * Opens the target once, as every run's target phase would (runtime/engine/target.ts): the built-in
 * mock, or the URL with evalscope's connection test (a real request, retried while the server
 * starts until --total-timeout, a 4xx stopping at once).
 */
async function openPerfTarget(o: PerfOptions, io: PerfIO, baseDir: string): Promise<PerfTarget> {
  checkApi(o.api);
  const api = isPluginSpec(o.api) ? resolve(baseDir, o.api) : o.api;
  const endpoint = endpointOf(o, o.url);
  let url: string | undefined;
  if (o.url !== undefined) {
    const r = requestUrl(o, o.url, endpoint);
    url = r.url;
    if (r.note) io.log(`note: ${r.note}`);
  }
  const llm = resolveOptions({}, {}, overridesFor(o, url, api)).llm;
  const target = await openTarget({
    llm,
    apiDirs: [baseDir],
    mockOptions: o.mockOptions ?? {},
    // evalscope sends no connection test to embedding and rerank endpoints
    testConnection: o.testConnection && !isBatchApi(o.api),
    probe: {
      endpoint,
      params: { max_tokens: 16, stream: o.stream },
      answerTimeoutMs: Math.min(o.readTimeout ?? DEFAULT_READ_TIMEOUT_S, PROBE_ANSWER_TIMEOUT_S) * 1000,
      retryForMs: (o.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT_S) * 1000,
      onClientError: 'fail',
      ...(io.signal ? { signal: io.signal } : {}),
    },
    log: io.log,
  });
  if (o.debug && !target.embedded && o.testConnection) io.log(`DEBUG connection test: ${redactUrl(target.url)} answered`);
  return { target, url: target.url, api, endpoint, close: () => target.close() };
}

function overridesFor(o: PerfOptions, url: string | undefined, api: string): Overrides {
  const ov: Overrides = {
    model: o.model,
    api,
    headers: o.headers,
    connectTimeout: `${o.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_S}s`,
    readTimeout: `${o.readTimeout ?? DEFAULT_READ_TIMEOUT_S}s`,
    timeout: `${o.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT_S}s`,
    summaryTrendStats: PERF_TREND_STATS,
  };
  if (url !== undefined) ov.url = url;
  if (o.apiKey !== undefined) ov.apiKey = o.apiKey;
  if (o.tokenizerPath !== undefined) ov.tokenizer = o.tokenizerPath;
  if (o.name !== undefined) ov.name = o.name;
  return ov;
}

/** A failure in the generated script's init code is a dataset / tokenizer problem: exit 104 with its message. */
function asConfigError(e: unknown): unknown {
  if (e instanceof LlmperfError && e.code === 'SCRIPT_INIT_ERROR') {
    const m = /error in init code: ([^\n]*)/.exec(e.message);
    return new ConfigError(m ? m[1]! : e.message.split('\n')[0]!, 'PERF_INIT_ERROR', { cause: e });
  }
  return e;
}


/** The seed line: printed when the seed shapes something (arrivals or random prompts). */
function seedNote(o: PerfOptions, runs: PerfRun[]): string | undefined {
  const used = runs.some((r) => r.rate !== -1) || ['random', 'shared_prefix'].includes(o.dataset);
  if (!used || o.seed !== undefined) return undefined;
  return `seed ${o.drawnSeed} (drawn at random for this run: --seed ${o.drawnSeed} repeats its arrival times and random prompts, and also sends seed in the request body as evalscope does)`;
}

/** workload_trace: --number cuts the trace (a run is at most its records); without it, the whole trace. */
async function withTraceNumber(o: PerfOptions, baseDir: string): Promise<PerfOptions> {
  if (o.dataset !== 'workload_trace' || o.prompt !== undefined) return o;
  const records = (await readWorkloadTrace(resolveDataFile(o.datasetPath, baseDir, 'workload_trace dataset'))).length;
  return { ...o, number: o.numberGiven ? o.number.map((n) => Math.min(n, records)) : [records] };
}

export async function runPerf(options: PerfOptions, ioIn: PerfIO): Promise<PerfOutcome> {
  const baseDir = ioIn.baseDir ?? process.cwd();
  // evalscope draws afresh when no --seed is given; the draw is printed and kept in run.json
  const seeded: PerfOptions = options.seed === undefined ? { ...options, drawnSeed: options.drawnSeed ?? randomInt(0, 2 ** 31 - 1) } : options;
  const o = await withTraceNumber(seeded, baseDir);
  const runs = planRuns(o);
  checkVisualizer(o);
  const prompt = readPrompt(o, baseDir);
  const template = readTemplate(o, baseDir);
  // the folders that existed before this invocation (a failed run removes only what it made), then
  // the invocation's own folder, claimed (a second run of the same name in the same second gets -2)
  const started = new Date();
  const existed = foldersBefore(perfRoot(o, started), o.outputsDir);
  const root = claimPerfRoot(o, started);
  const io: PerfIO = { ...ioIn, ...teeLog(root, ioIn.log, ioIn.out) };
  try {
    if (o.debug) io.log(`DEBUG perf options: ${JSON.stringify(redactedArgs(o))}`);
    const note = seedNote(o, runs);
    if (note) io.log(note);
    const turnArgs = Object.keys(o.datasetArgs ?? {}).filter((k) => ['first_turn_length', 'subsequent_turn_length', 'chars_per_token', 'num_workers'].includes(k));
    if (turnArgs.length) io.log(`note: --dataset-args ${turnArgs.join(', ')}: no effect here (they shape swe_smith's live construction from the downloaded trajectories; llmperf reads the pre-built file)`);
    const target = await openPerfTarget(o, io, baseDir);
    const results: PerfResult[] = [];
    let exitCode: ExitCodeValue = ExitCode.OK;
    let vis: PerfVisualizer | undefined;
    /** One run of the sweep (or of the SLA search): its warm-up, then the measured run into `dir`. */
    const measured = async (r: PerfRun, label: string, dir: string, offset: number): Promise<{ exitCode: ExitCodeValue; result?: PerfResult }> => {
      const warm = warmupCount(o, r.number);
      if (warm > 0) {
        io.log(`${label}warmup: ${warm} ${o.multiTurn ? 'conversations' : 'requests'}, not counted in the results (--warmup-num)`);
        const code = await runOne(o, io, target, r, { number: warm, offset, prompt, template, baseDir, warmup: true, label });
        if (code.exitCode === ExitCode.INTERRUPTED) return code;
      }
      return runOne(o, io, target, r, { number: r.number, offset: offset + warm, prompt, template, baseDir, warmup: false, label, root: dir, ...(vis ? { vis } : {}) });
    };
    try {
      if (o.sla) {
        // evalscope's SLA auto-tuning replaces the sweep (runtime/perf/sla.ts)
        await runSla(o, o.sla, {
          root,
          log: io.log,
          out: io.out,
          stopped: () => !!io.signal?.aborted,
          sleep: (ms) => sleepFor(ms, io.signal),
          run: async (r, dir, offset) => {
            const label = `[SLA ${o.sla!.variable} ${o.sla!.variable === 'parallel' ? r.parallel : r.rate}] `;
            const one = await measured(r, label, dir, offset);
            if (one.exitCode !== ExitCode.OK) exitCode = one.exitCode;
            if (!one.result || one.exitCode === ExitCode.INTERRUPTED) return undefined;
            results.push(one.result);
            return { ...one.result.latest, tables: `\n${label.trim()}${renderRun(one.result)}` };
          },
        });
      } else {
        vis = await startVisualizer(o, runs, target.url, root, io.log);
        for (const r of runs) {
          if (io.signal?.aborted) break;
          if (r.index > 0 && o.sleepInterval > 0) {
            io.log(`sleeping ${o.sleepInterval} s before the next run (--sleep-interval)`);
            await sleepFor(o.sleepInterval * 1000, io.signal);
            if (io.signal?.aborted) break;
          }
          const label = runs.length > 1 ? `[run ${r.index + 1}/${runs.length}: parallel ${r.parallel === -1 ? 'INF' : r.parallel}, number ${r.number}${r.rate !== -1 ? `, rate ${r.rate}/s` : ''}] ` : '';
          const one = await measured(r, label, root, o.datasetOffset);
          if (one.result) {
            results.push(one.result);
            const tables = `${label ? `\n${label.trim()}` : ''}${renderRun(one.result)}`;
            io.out(tables);
            if (one.result.dir) io.log(`${label}saved the results to ${one.result.dir}`);
          }
          if (one.exitCode !== ExitCode.OK) exitCode = one.exitCode;
          if (one.exitCode === ExitCode.INTERRUPTED) break;
        }
      }
    } finally {
      await vis?.finish();
      await target.close();
    }
    if (o.sla) return { exitCode, results, root };
    if (results.length > 1) {
      io.out(renderSweep(results));
      io.log(`saved the sweep summary to ${writeSweepSummary(root, results)}`);
    }
    if (results.length > 0) {
      const file = join(root, 'performance_summary.txt');
      writeFileAtomic(file, renderPerformanceSummary(results, { modelId: modelId(o), dataset: o.dataset, api: o.api, outputsDir: root }));
      io.log(`performance summary saved to ${file}`);
    }
    return { exitCode, results, root };
  } catch (e) {
    io.log(`ERROR ${(e as Error).message}`.split('\n')[0]!);
    removeFailedOutputs(root, o.outputsDir, existed);
    throw e;
  }
}

interface OneRun {
  number: number;
  offset: number;
  prompt: string | undefined;
  template: Record<string, unknown> | undefined;
  baseDir: string;
  warmup: boolean;
  label: string;
  root?: string;
  vis?: PerfVisualizer;
}

async function runOne(o: PerfOptions, io: PerfIO, t: PerfTarget, r: PerfRun, one: OneRun): Promise<{ exitCode: ExitCodeValue; result?: PerfResult }> {
  // workload_trace: the warm-up replays the first records, the measured run the rest
  const trace = o.dataset === 'workload_trace' && o.prompt === undefined ? { path: resolveDataFile(o.datasetPath, one.baseDir, 'workload_trace dataset'), skip: one.warmup ? 0 : warmupCount(o, r.number) } : undefined;
  const number = trace && !one.warmup ? Math.max(1, one.number - trace.skip) : one.number;
  const source = generateScript({
    o,
    scenario: scenarioFor(r, o, number, trace),
    total: one.offset + one.number,
    turnRate: o.multiTurn && r.rate > 0 ? r.rate : 0,
    url: t.url,
    api: t.api,
    endpoint: t.endpoint,
    ...(one.prompt !== undefined ? { prompt: one.prompt } : {}),
    ...(one.template ? { template: one.template } : {}),
    offset: one.offset,
    commandLine: io.commandLine,
    baseDir: one.baseDir,
  });
  let dir: string | undefined;
  let filename = one.warmup ? 'perf-warmup.ts' : 'perf.ts';
  if (one.root) {
    const p = prepareRunDir(one.root, r, source);
    dir = p.dir;
    filename = p.scriptPath;
    if (o.debug) io.log(`DEBUG generated script: ${p.scriptPath}`);
  }
  // evalscope's figures, from every request of the measured run (runtime/summary/evalscope.ts)
  const batch = isBatchApi(o.api);
  const acc = new EvalscopeAccumulator({ concurrency: r.parallel, rate: r.rate }, { batch });
  const vis = one.vis;
  const conversations = o.multiTurn ? new ConversationCache() : undefined;
  const speed = o.dataset.startsWith('speed_benchmark') ? new SpeedTable() : undefined;
  const evalscope = {
    onRecord(rec: Parameters<typeof fromRecord>[0]) {
      if (rec.errorCode === 'ABORTED') return;
      const q = fromRecord(rec, o.stream && !batch);
      if (conversations) conversations.annotate(rec, q);
      acc.add(q);
      speed?.add(q);
      vis?.onRequest(acc);
    },
  };
  const runInfo = {
    perf: {
      seed: scheduleSeed(o),
      seedSource: o.seed !== undefined ? '--seed' : 'random',
      evalscopeVersion: o.evalscopeVersion ?? '1.10',
      run: { parallel: r.parallel, number: r.number, rate: r.rate, openLoop: r.openLoop },
    },
  };
  let out;
  try {
    out = await run(withHooks({
      script: { source, filename: basename(filename), baseDir: one.baseDir },
      overrides: overridesFor(o, t.url, t.api),
      systemEnv: false,
      // the generated script reads the files given on the command line, wherever they are (the sandbox: runtime/engine/file-access.ts)
      allowRead: [o.datasetPath, isPluginSpec(o.dataset) ? o.dataset : undefined].filter((p): p is string => p !== undefined).map((p) => resolve(one.baseDir, p)),
      target: t.target, // opened (mock started or URL probed) once above, for all runs
      debug: o.debug && !one.warmup,
      ...(o.ioThreads !== undefined ? { ioThreads: o.ioThreads } : {}),
      log: io.log,
      listeners: one.warmup ? [] : [progressListener(o.logEveryNQuery, one.number, io.log, one.label), evalscope],
      // the measured run keeps llmperf's run directory (summary.json, requests.sqlite, report.html, ...) in its folder
      ...(dir ? { outDir: dir, runInfo, ...(o.out?.length ? { outputs: o.out } : {}), ...(io.argv ? { argv: io.argv } : {}) } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.hardSignal ? { hardSignal: io.hardSignal } : {}),
    }, one.warmup ? undefined : io.dashboard?.hooks(one.label.trim().replace(/^\[|\]$/g, ''))));
  } catch (e) {
    throw asConfigError(e);
  }
  if (one.warmup) return { exitCode: out.exitCode };
  const result = toResult(r, out.summary, acc, o.evalscopeVersion ?? '1.10');
  if (one.label) io.dashboard?.level(summaryLevel(`parallel ${r.parallel === -1 ? 'INF' : r.parallel}${r.rate !== -1 ? `, rate ${r.rate}/s` : ''}`, r.rate !== -1 ? 'rate' : 'concurrency', r.rate !== -1 ? r.rate : r.parallel, out.summary));
  vis?.endRun(acc, result);
  if (speed) {
    result.speed = speed.rows();
    io.out(speed.render());
  }
  if (dir) {
    result.dir = dir;
    writeRunFiles(dir, o, result, t.url);
  }
  if (out.summary.state.stopReason !== 'completed') io.log(`${one.label}stopped early: ${out.summary.state.stopReason}${out.summary.state.abortMessage ? ` (${out.summary.state.abortMessage})` : ''}`);
  return { exitCode: out.exitCode, result };
}
