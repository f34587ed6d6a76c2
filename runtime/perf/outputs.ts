/**
 * Files of a `llmperf perf` run, laid out as evalscope does:
 *   <outputs-dir>/<YYYYMMDD_HHMMSS>/<name or model>/
 *     benchmark.log                every line the run logged, timestamped as evalscope's logger writes them
 *     performance_summary.txt      the closing report (runtime/perf/summary-txt.ts)
 *     perf_summary.json            every run's summary and percentiles (sweeps; llmperf's)
 *     parallel_<P>_number_<N>/     one folder per run (rate_<R>_number_<N> with --open-loop, R as Python prints a float)
 *       benchmark_summary.json     evalscope's summary keys
 *       benchmark_percentile.json  evalscope's percentile rows
 *       benchmark_args.json        evalscope's Arguments for this run (snake_case, scalars, secrets masked)
 *       perf.ts                    the generated script (runnable with `llmperf run`)
 *       + llmperf's run directory: summary.json, requests.sqlite, report.html, ... (runtime/results)
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, WriteError } from '../errors.ts';
import { writeFileAtomic } from '../results/run-dir.ts';
import { isSecretName, redactDeep, redactText, redactUrl } from '../secrets.ts';
import { pyFloatRepr, pyJson } from '../summary/pyformat.ts';
import type { PerfOptions, PerfRun } from './config.ts';
import type { PerfResult } from './report.ts';

/** evalscope's mask for a secret (pydantic's SecretStr in its JSON dumps). */
export const MASK = '**********';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** evalscope's model_id: the last path part of --model (the dataset's name without one: workload_trace). */
export function modelId(o: PerfOptions): string {
  if (!o.model) return o.dataset || 'unknown';
  return basename(o.model.replace(/[\\/]+$/, '')) || o.model;
}

/** The folder of this perf invocation. */
export function perfRoot(o: PerfOptions, now = new Date()): string {
  const name = (o.name ?? modelId(o)).replace(/[<>:"|?*\\/\0]/g, '_') || 'perf';
  return resolve(o.noTimestamp ? join(o.outputsDir, name) : join(o.outputsDir, stamp(now), name));
}

/**
 * The invocation's folder, created and claimed: with a timestamp, one no other invocation has (a
 * second `perf` with the same --name in the same second gets `<name>-2`, instead of finding the
 * first one's run folders and stopping); with --no-timestamp the named folder as is (a run there
 * still refuses to overwrite earlier results).
 */
export function claimPerfRoot(o: PerfOptions, now = new Date()): string {
  const root = perfRoot(o, now);
  try {
    if (o.noTimestamp) {
      mkdirSync(root, { recursive: true });
      return root;
    }
    mkdirSync(dirname(root), { recursive: true });
  } catch (e) {
    throw new WriteError(o.noTimestamp ? root : dirname(root), e);
  }
  for (let i = 1; i < 1000; i++) {
    const dir = i === 1 ? root : `${root}-${i}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new WriteError(dir, e);
    }
  }
  throw new ConfigError(`too many runs named ${basename(root)} in ${dirname(root)} this second`);
}

/** evalscope's run folder: parallel_<P>_number_<N>, or rate_<R>_number_<N> in open-loop mode. */
export function runDirName(run: PerfRun): string {
  return run.openLoop ? `rate_${pyFloatRepr(run.rate)}_number_${run.number}` : `parallel_${run.parallel}_number_${run.number}`;
}

/** Header values that could be secrets, masked (the names stay). */
export function maskedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSecretName(k) ? MASK : redactText(v)]));
}

/** The options for --debug lines and notes: API keys and secret-looking header values masked. */
export function redactedArgs(o: PerfOptions): Record<string, unknown> {
  const out: Record<string, unknown> = redactDeep({ ...o, headers: maskedHeaders(o.headers) });
  for (const k of ['apiKey', 'wandbApiKey', 'swanlabApiKey'] as const) if (o[k] !== undefined) out[k] = MASK;
  return out;
}

/**
 * evalscope's Arguments as its benchmark_args.json holds them for one run: every field in its order,
 * snake_case, this run's number / parallel / rate as scalars, evalscope's defaults for what llmperf
 * does not use, API keys and secret headers masked ("**********", as evalscope writes a SecretStr).
 */
export function evalscopeArgs(o: PerfOptions, run: PerfRun, url: string, runDir: string): Record<string, unknown> {
  const headers: Record<string, string> = maskedHeaders(o.headers);
  if (o.apiKey !== undefined) headers.Authorization = MASK;
  const x = o.evalscopeExtra ?? {};
  const pick = <T>(key: string, dflt: T): T | unknown => (key in x ? x[key] : dflt);
  return {
    model: o.model ?? null,
    model_id: modelId(o),
    attn_implementation: pick('attn_implementation', null),
    api: o.api,
    tokenizer_path: o.tokenizerPath ?? null,
    port: pick('port', 8877),
    url: redactUrl(url),
    headers,
    connect_timeout: o.connectTimeout ?? null,
    read_timeout: o.readTimeout ?? null,
    total_timeout: o.totalTimeout ?? 6 * 60 * 60,
    api_key: o.apiKey !== undefined ? MASK : null,
    no_test_connection: !o.testConnection,
    number: run.number,
    parallel: run.parallel,
    rate: run.rate,
    warmup_num: o.warmupNum,
    open_loop: o.openLoop,
    sleep_interval: o.sleepInterval,
    duration: o.duration ?? null,
    sla_auto_tune: o.sla !== undefined,
    sla_variable: o.sla?.variable ?? 'parallel',
    sla_params: o.sla?.params ?? null,
    sla_num_runs: o.sla?.numRuns ?? 3,
    sla_upper_bound: o.sla?.upperBound ?? 65536,
    sla_lower_bound: o.sla?.lowerBound ?? 1,
    sla_fixed_parallel: o.sla?.fixedParallel ?? null,
    sla_number_multiplier: o.sla?.numberMultiplier ?? null,
    db_commit_interval: pick('db_commit_interval', 1000),
    queue_size_multiplier: pick('queue_size_multiplier', 5),
    in_flight_task_multiplier: pick('in_flight_task_multiplier', 2),
    num_workers: pick('num_workers', 0),
    log_every_n_query: o.logEveryNQuery,
    debug: o.debug,
    enable_progress_tracker: pick('enable_progress_tracker', false),
    visualizer: o.visualizer ?? null,
    wandb_api_key: o.wandbApiKey !== undefined ? MASK : null,
    swanlab_api_key: o.swanlabApiKey !== undefined ? MASK : null,
    swanlab_host: o.swanlabHost ?? null,
    name: o.name ?? null,
    outputs_dir: runDir,
    no_timestamp: o.noTimestamp,
    max_prompt_length: o.maxPromptLength ?? 131072,
    min_prompt_length: o.minPromptLength ?? 0,
    prefix_length: o.prefixLength ?? 0,
    prompt: o.prompt ?? null,
    query_template: o.queryTemplate ?? null,
    apply_chat_template: o.applyChatTemplate ?? /chat\/completions\/?$/.test(url),
    image_width: o.imageWidth ?? 224,
    image_height: o.imageHeight ?? 224,
    image_format: o.imageFormat ?? 'RGB',
    image_num: o.imageNum ?? 1,
    image_patch_size: o.imagePatchSize ?? 28,
    dataset: o.dataset,
    dataset_path: o.datasetPath ?? null,
    data_source: o.dataSource ?? null,
    dataset_offset: o.datasetOffset,
    dataset_args: o.datasetArgs ?? null,
    frequency_penalty: o.frequencyPenalty ?? null,
    repetition_penalty: o.repetitionPenalty ?? null,
    logprobs: o.logprobs ?? null,
    max_tokens: o.maxTokens ?? 2048,
    min_tokens: o.minTokens ?? null,
    n_choices: o.nChoices ?? null,
    seed: o.seed ?? null,
    stop: o.stop ?? null,
    stop_token_ids: o.stopTokenIds ? o.stopTokenIds.map(String) : null,
    stream: o.stream,
    temperature: o.temperature ?? 0.0,
    top_p: o.topP ?? null,
    top_k: o.topK ?? null,
    extra_args: redactDeep(o.extraArgs ?? {}),
    tokenize_prompt: o.tokenizePrompt ?? false,
    multi_turn: o.multiTurn ?? false,
    min_turns: o.minTurns ?? 1,
    max_turns: o.maxTurns ?? null,
    multi_turn_args: null,
  };
}

/** As evalscope writes JSON: indent 4, non-ASCII kept (NaN as null: see pyJson); all or nothing (a WriteError, exit 104). */
export function writeJson(file: string, data: unknown): void {
  writeFileAtomic(file, pyJson(data, 4));
}

/** mkdir -p, or a WriteError (exit 104) saying why (a read-only or full file system). */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new WriteError(dir, e);
  }
}

/** Makes a run's folder and writes its script; returns the folder and the script's path. */
export function prepareRunDir(root: string, run: PerfRun, script: string): { dir: string; scriptPath: string } {
  const dir = join(root, runDirName(run));
  if (existsSync(join(dir, 'summary.json')) || existsSync(join(dir, 'requests.sqlite'))) {
    throw new ConfigError(`${dir} already holds the results of a run: remove it, or choose another --name or --outputs-dir (with --no-timestamp every run writes to the same folder)`);
  }
  makeDir(dir);
  const scriptPath = join(dir, 'perf.ts');
  writeFileAtomic(scriptPath, script);
  return { dir, scriptPath };
}

export function writeRunFiles(dir: string, o: PerfOptions, r: PerfResult, url: string): void {
  writeJson(join(dir, 'benchmark_args.json'), evalscopeArgs(o, r.run, url, dir));
  writeJson(join(dir, 'benchmark_summary.json'), r.keys);
  writeJson(join(dir, 'benchmark_percentile.json'), r.percentiles);
  if (r.speed) writeJson(join(dir, 'speed_benchmark.json'), r.speed);
}

export function writeSweepSummary(root: string, results: PerfResult[]): string {
  makeDir(root);
  const file = join(root, 'perf_summary.json');
  writeJson(file, results.map((r) => ({ run: r.run, summary: r.keys, percentiles: r.percentiles })));
  return file;
}

/** evalscope's log line: "2026-12-01 10:00:00 - evalscope - INFO: message" (local time, as Python's logging). */
export function logLine(line: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const ts = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  const level = /^(WARN|warning)\b/i.test(line) ? 'WARNING' : /^(ERROR|error)\b/.test(line) ? 'ERROR' : /^DEBUG\b/.test(line) ? 'DEBUG' : 'INFO';
  return `${ts} - evalscope - ${level}: ${line}\n`;
}

/**
 * benchmark.log in the invocation's folder: log and out functions that also append there (the tables
 * too, as evalscope's logger writes them).
 */
export function teeLog(root: string, log: (line: string) => void, out: (text: string) => void): { log: (line: string) => void; out: (text: string) => void } {
  makeDir(root);
  const file = join(root, 'benchmark.log');
  const append = (text: string) => {
    try {
      appendFileSync(file, text);
    } catch {
      // the log file is a convenience: never fail the run for it
    }
  };
  return {
    log: (line: string) => {
      log(line);
      append(logLine(line));
    },
    out: (text: string) => {
      out(text);
      append(logLine(text.replace(/^\n+/, '')));
    },
  };
}
