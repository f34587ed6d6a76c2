/**
 * `llmperf perf`, start to end: validate the evalscope-style options, probe the target (or start the
 * built-in mock), then for every run of the sweep generate a script and run it with runtime/api.ts's
 * run() (the same engine as `llmperf run`), print evalscope's tables and write the run's files.
 */
import { basename } from 'node:path';
import { run, type RunOptions } from '../api.ts';
import { ConfigError, LlmperfError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { isPluginSpec } from '../llm/registry.ts';
import { openTarget, type Target } from '../engine/target.ts';
import { resolveOptions } from '../options/resolve.ts';
import type { Overrides } from '../options/resolve.ts';
import { resolve } from 'node:path';
import { planRuns, scenarioFor, warmupCount, PERF_TREND_STATS, DEFAULT_TOTAL_TIMEOUT_S, type PerfOptions, type PerfRun } from './config.ts';
import { checkApi, endpointOf, readPrompt, readTemplate, requestUrl } from './inputs.ts';
import { perfRoot, prepareRunDir, redactedArgs, writeRunFiles, writeSweepSummary } from './outputs.ts';
import { progressListener } from './progress.ts';
import { renderRun, renderSweep, toResult, type PerfResult } from './report.ts';
import { generateScript, type PerfEndpoint } from './script.ts';

/** evalscope's documented network timeouts, seconds (used when --connect-timeout / --read-timeout are not given). */
export const DEFAULT_CONNECT_TIMEOUT_S = 600;
export const DEFAULT_READ_TIMEOUT_S = 600;

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
  /** options.llm.api of the runs: a built-in name, or the plugin file (absolute) */
  api: string;
  endpoint: PerfEndpoint;
}

/** Opens the target once, as every run phase would (runtime/engine/target.ts): the mock, or the probed URL. */
async function openPerfTarget(o: PerfOptions, io: PerfIO, baseDir: string): Promise<PerfTarget> {
  checkApi(o.api);
  const api = isPluginSpec(o.api) ? resolve(baseDir, o.api) : o.api;
  let url: string | undefined;
  const endpoint = endpointOf(o, o.url);
  if (o.url !== undefined) {
    const r = requestUrl(o, o.url, endpoint);
    url = r.url;
    if (r.note) io.log(`note: ${r.note}`);
  }
  const llm = resolveOptions({}, {}, overridesFor(o, url, api)).llm;
  const target = await openTarget({ llm, apiDirs: [baseDir], mockOptions: o.mockOptions ?? {}, testConnection: o.testConnection, log: io.log });
  if (o.debug && !target.embedded && o.testConnection) io.log(`DEBUG connection test: ${target.url} answered`);
  return { target, api, endpoint };
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runPerf(o: PerfOptions, io: PerfIO): Promise<PerfOutcome> {
  const baseDir = io.baseDir ?? process.cwd();
  const runs = planRuns(o);
  const prompt = readPrompt(o, baseDir);
  const template = readTemplate(o, baseDir);
  if (o.debug) io.log(`DEBUG perf options: ${JSON.stringify(redactedArgs(o))}`);
  const pt = await openPerfTarget(o, io, baseDir);
  const target = pt.target;
  const root = perfRoot(o);
  const results: PerfResult[] = [];
  let exitCode: ExitCodeValue = ExitCode.OK;
  try {
    for (const r of runs) {
      if (io.signal?.aborted) break;
      if (r.index > 0 && o.sleepInterval > 0) {
        io.log(`sleeping ${o.sleepInterval} s before the next run (--sleep-interval)`);
        await sleep(o.sleepInterval * 1000, io.signal);
        if (io.signal?.aborted) break;
      }
      const label = runs.length > 1 ? `[run ${r.index + 1}/${runs.length}: parallel ${r.parallel === -1 ? 'INF' : r.parallel}, number ${r.number}${r.rate !== -1 ? `, rate ${r.rate}/s` : ''}] ` : '';
      const warm = warmupCount(o, r.number);
      if (warm > 0) {
        io.log(`${label}warmup: ${warm} requests, not counted in the results (--warmup-num)`);
        const code = await runOne(o, io, pt, r, { number: warm, offset: o.datasetOffset, prompt, template, baseDir, warmup: true, label });
        if (code.exitCode === ExitCode.INTERRUPTED) {
          exitCode = code.exitCode;
          break;
        }
      }
      const one = await runOne(o, io, pt, r, { number: r.number, offset: o.datasetOffset + warm, prompt, template, baseDir, warmup: false, label, root });
      if (one.result) {
        results.push(one.result);
        io.out(`${label ? `\n${label.trim()}` : ''}${renderRun(one.result)}`);
        if (one.result.dir) io.log(`${label}saved the results to ${one.result.dir}`);
      }
      if (one.exitCode !== ExitCode.OK) exitCode = one.exitCode;
      if (one.exitCode === ExitCode.INTERRUPTED) break;
    }
  } finally {
    await target.close();
  }
  if (results.length > 1) {
    io.out(renderSweep(results));
    io.log(`saved the sweep summary to ${writeSweepSummary(root, results)}`);
  }
  return { exitCode, results, root };
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
}

async function runOne(o: PerfOptions, io: PerfIO, t: PerfTarget, r: PerfRun, one: OneRun): Promise<{ exitCode: ExitCodeValue; result?: PerfResult }> {
  const source = generateScript({
    o,
    scenario: scenarioFor(r, o, one.number),
    url: t.target.url,
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
  let out;
  try {
    out = await run({
      script: { source, filename: basename(filename), baseDir: one.baseDir },
      overrides: overridesFor(o, t.target.url, t.api),
      systemEnv: false,
      target: t.target, // opened (mock started or URL probed) once above, for all runs
      debug: o.debug && !one.warmup,
      log: io.log,
      listeners: one.warmup ? [] : [progressListener(o.logEveryNQuery, one.number, io.log, one.label)],
      // the measured run keeps llmperf's run directory (summary.json, requests.sqlite, report.html, ...) in its folder
      ...(dir ? { outDir: dir, ...(o.out?.length ? { outputs: o.out } : {}), ...(io.argv ? { argv: io.argv } : {}) } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.hardSignal ? { hardSignal: io.hardSignal } : {}),
    });
  } catch (e) {
    throw asConfigError(e);
  }
  if (one.warmup) return { exitCode: out.exitCode };
  const result = toResult(r, out.summary);
  if (dir) {
    result.dir = dir;
    writeRunFiles(dir, o, result);
  }
  if (out.summary.state.stopReason !== 'completed') io.log(`${one.label}stopped early: ${out.summary.state.stopReason}${out.summary.state.abortMessage ? ` (${out.summary.state.abortMessage})` : ''}`);
  return { exitCode: out.exitCode, result };
}
