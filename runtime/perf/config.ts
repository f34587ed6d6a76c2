/**
 * `llmperf perf`: evalscope perf's options, their defaults, validation, the sweep (one run per
 * index of --number / --parallel / --rate) and the scenario each run maps to. Pure: no I/O.
 *
 * Mapping onto the engine (documented in docs/perf.md):
 *  - closed loop, `--parallel P -n N` (rate -1): shared-iterations, P VUs, N iterations
 *  - `--rate R` (> 0): constant-arrival-rate, Poisson arrivals at R/s, P VUs (preAllocated = max),
 *    `queue: true` (an arrival that finds all P busy waits for one, as evalscope's semaphore does),
 *    stopping once N iterations have started (the executor's `iterations` cap): exactly N requests
 *  - `--open-loop --rate R`: the same with VUs up to N (no concurrency cap)
 *  - `--duration S`: stop starting requests after S seconds; in-flight ones finish
 */
import { ConfigError } from '../errors.ts';
import type { EvalscopeFormat } from '../summary/evalscope.ts';

/** evalscope's SLA auto-tuning (--sla-*; runtime/perf/sla.ts). */
export interface SlaOptions {
  /** what is tuned: --parallel (closed loop) or --rate (at --sla-fixed-parallel) */
  variable: 'parallel' | 'rate';
  /** --sla-params: groups (OR) of metric -> criterion (AND), e.g. [{"p99_latency": "<=2"}] */
  params: Array<Record<string, string>>;
  numRuns: number;
  upperBound: number;
  lowerBound: number;
  fixedParallel?: number;
  numberMultiplier?: number;
}

/** evalscope perf's options (camelCase). `undefined` = not given (the defaults below apply). */
export interface PerfOptions {
  /** required, except with --dataset workload_trace (each recorded body names its model) */
  model?: string;
  url?: string;
  api: string;
  apiKey?: string;
  headers: Record<string, string>;
  /** seconds */
  connectTimeout?: number;
  readTimeout?: number;
  totalTimeout?: number;
  testConnection: boolean;
  number: number[];
  /** --number was given (workload_trace replays the whole trace otherwise) */
  numberGiven?: boolean;
  parallel: number[];
  rate: number[];
  openLoop: boolean;
  /** seconds; stop starting new requests after this long */
  duration?: number;
  /** >= 1: that many warmup requests; between 0 and 1: that share of --number */
  warmupNum: number;
  /** seconds between the runs of a sweep */
  sleepInterval: number;
  logEveryNQuery: number;
  debug: boolean;
  /** llmperf's I/O threads (--io-threads); default: the engine's */
  ioThreads?: number;
  name?: string;
  tokenizerPath?: string;
  maxPromptLength?: number;
  minPromptLength?: number;
  prefixLength?: number;
  prompt?: string;
  queryTemplate?: string;
  applyChatTemplate?: boolean;
  dataset: string;
  datasetPath?: string;
  datasetOffset: number;
  // request parameters (sent only when given, except the defaults in REQUEST_DEFAULTS)
  frequencyPenalty?: number;
  repetitionPenalty?: number;
  logprobs?: boolean;
  /** one value, or [min, max]: drawn uniformly per request (evalscope 1.10) */
  maxTokens?: number | [number, number];
  minTokens?: number;
  nChoices?: number;
  seed?: number;
  stop?: string[];
  stopTokenIds?: number[];
  stream: boolean;
  temperature?: number;
  topP?: number;
  topK?: number;
  extraArgs?: Record<string, unknown>;
  outputsDir: string;
  noTimestamp: boolean;
  /** llmperf's streaming outputs (`--out prometheus-rw=URL`, json=..., csv=...) for the measured runs */
  out?: string[];
  /** options of the built-in mock, used when no --url is given */
  mockOptions?: Record<string, unknown>;
  /** the evalscope release whose file layout to write (default: the current one, 1.10) */
  evalscopeVersion?: EvalscopeFormat;
  /** wandb, swanlab or clearml (also implied by --wandb-api-key / --swanlab-api-key, as evalscope does) */
  visualizer?: string;
  wandbApiKey?: string;
  swanlabApiKey?: string;
  swanlabHost?: string;
  /** evalscope flags given that have no effect here (snake_case -> value), kept for benchmark_args.json */
  evalscopeExtra?: Record<string, unknown>;
  /** the seed of the arrival schedule and the random dataset when --seed is not given (drawn by runPerf) */
  drawnSeed?: number;
  /** random_vl: --image-width, --image-height, --image-format, --image-num; --image-patch-size (no effect here) */
  imageWidth?: number;
  imageHeight?: number;
  imageFormat?: string;
  imageNum?: number;
  imagePatchSize?: number;
  /** --multi-turn: each iteration is one conversation (--number conversations, --parallel at once) */
  multiTurn?: boolean;
  minTurns?: number;
  maxTurns?: number;
  /** --dataset-args (with --multi-turn-args folded in, --dataset-args winning) */
  datasetArgs?: Record<string, unknown>;
  /** --data-source (modelscope, huggingface, local): llmperf always reads the local copy */
  dataSource?: string;
  /** --tokenize-prompt: send token ids to /v1/completions */
  tokenizePrompt?: boolean;
  /** --sla-auto-tune and its flags */
  sla?: SlaOptions;
}

/** evalscope's defaults for request parameters: used when neither a flag nor the query template sets them. */
export const REQUEST_DEFAULTS = { max_tokens: 2048, temperature: 0 } as const;
/** evalscope's default --max-prompt-length (the filter of file datasets). */
export const DEFAULT_MAX_PROMPT_LENGTH = 131072;
/** evalscope's default per-request total timeout (--total-timeout), seconds. */
export const DEFAULT_TOTAL_TIMEOUT_S = 6 * 3600;
/** The percentiles of evalscope's percentile table. */
export const PERCENTILES = [10, 25, 50, 66, 75, 80, 90, 95, 98, 99] as const;
/** Trend stats the runs ask the sinks for. */
export const PERF_TREND_STATS = ['avg', 'min', 'max', ...PERCENTILES.map((p) => `p(${p})`)];
/** "no duration limit" for the executors: a week. */
export const NO_LIMIT = '168h';

/** Dataset kinds that read a file (need --dataset-path; evalscope would download some of them). */
export const FILE_DATASETS = [
  'openqa', 'longalpaca', 'line_by_line', 'custom', 'sharegpt', 'jsonl', 'share_gpt_zh', 'share_gpt_en', 'share_gpt', 'embedding', 'embed',
  'embedding_batch', 'rerank', 'flickr8k', 'kontext_bench', 'share_gpt_zh_multi_turn', 'share_gpt_en_multi_turn', 'custom_multi_turn',
  'swe_smith', 'workload_trace',
];
/** Synthetic kinds: --min/--max-prompt-length are the range lengths are drawn from. */
export const SYNTHETIC_DATASETS = ['random', 'shared_prefix', 'random_vl', 'random_embedding', 'random_embedding_batch', 'random_rerank', 'random_multi_turn'];
/** Kinds whose items are whole conversations (need --multi-turn). */
export const MULTI_TURN_DATASETS = ['share_gpt_zh_multi_turn', 'share_gpt_en_multi_turn', 'custom_multi_turn', 'random_multi_turn', 'swe_smith'];
/** Kinds without a length filter in evalscope. */
export const UNFILTERED_DATASETS = ['speed_benchmark', 'speed_benchmark_long', 'rerank', 'flickr8k', 'kontext_bench', 'swe_smith', 'workload_trace'];

/** How the API the run uses shapes its requests: generation, embeddings, rerank or the Responses API. */
export type PerfApiKind = 'generate' | 'embed' | 'rerank' | 'responses';
const API_KINDS: Record<string, PerfApiKind> = {
  openai_embedding: 'embed', embedding: 'embed', openai_rerank: 'rerank', rerank: 'rerank',
  openai_responses: 'responses', openai_response: 'responses', responses: 'responses',
};
export function apiKind(api: string): PerfApiKind {
  return API_KINDS[api] ?? 'generate';
}
/** Embedding and rerank runs: evalscope's figures are latency and input throughput (no TTFT). */
export function isBatchApi(api: string): boolean {
  const k = apiKind(api);
  return k === 'embed' || k === 'rerank';
}

/** One run of a sweep. parallel is -1 in open-loop mode (evalscope shows it as INF). */
export interface PerfRun {
  index: number;
  parallel: number;
  number: number;
  rate: number;
  openLoop: boolean;
}

function broadcast(values: number[], size: number, flag: string): number[] {
  if (values.length === size) return values;
  if (values.length === 1) return Array.from({ length: size }, () => values[0]!);
  throw new ConfigError(`${flag} has ${values.length} values: give one value or as many as the longest of --number/--parallel/--rate (${size}); values are paired by position`);
}

function checkInts(values: number[], flag: string, min: number): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) throw new ConfigError(`${flag} ${v}: must be a whole number >= ${min}`);
  }
}

/** --dataset-args keys each dataset takes (evalscope validates them per dataset and rejects the rest). */
const TEXT_ARGS = ['target_input_len', 'input_len_mode', 'prefix_file', 'prefix_role'];
const TURN_ARGS = ['first_turn_length', 'subsequent_turn_length', 'chars_per_token', 'num_workers'];
const TRACE_ARGS = ['speed', 'model_override', 'model_mapping', 'match_output_length'];
function datasetArgKeys(dataset: string): string[] {
  if (['openqa', 'longalpaca', 'line_by_line', 'share_gpt_zh', 'share_gpt_en', 'share_gpt'].includes(dataset)) return TEXT_ARGS;
  if (MULTI_TURN_DATASETS.includes(dataset)) return TURN_ARGS;
  if (dataset === 'workload_trace') return TRACE_ARGS;
  return [];
}

/** Checks --dataset-args against the dataset's keys (a typo fails fast, as in evalscope). */
export function checkDatasetArgs(o: PerfOptions): void {
  const keys = Object.keys(o.datasetArgs ?? {});
  if (!keys.length || o.prompt !== undefined) return;
  const allowed = datasetArgKeys(o.dataset);
  const bad = keys.filter((k) => !allowed.includes(k));
  if (bad.length) {
    throw new ConfigError(`--dataset-args: ${bad.map((k) => `"${k}"`).join(', ')} not known for --dataset ${o.dataset}${allowed.length ? ` (it takes ${allowed.join(', ')})` : ' (it takes none)'}`);
  }
  const d = o.datasetArgs!;
  if (d.speed !== undefined && !(typeof d.speed === 'number' && d.speed > 0)) throw new ConfigError(`--dataset-args: speed must be a number > 0, got ${JSON.stringify(d.speed)}`);
  if (d.prefix_file !== undefined && d.target_input_len === undefined) throw new ConfigError('--dataset-args: prefix_file needs target_input_len');
}

/** Validates the options and expands the sweep. */
export function planRuns(o: PerfOptions): PerfRun[] {
  checkDatasetArgs(o);
  const trace = o.dataset === 'workload_trace';
  if (!o.model && !trace) throw new ConfigError('--model is required (the model name sent in requests; only --dataset workload_trace, whose bodies name their model, goes without)');
  if (trace && !o.openLoop) throw new ConfigError('--dataset workload_trace replays recorded arrival times: add --open-loop (as evalscope requires)');
  if (o.multiTurn && o.openLoop) throw new ConfigError('--multi-turn does not combine with --open-loop: a turn waits for the answer to the one before it (as in evalscope)');
  if (MULTI_TURN_DATASETS.includes(o.dataset) && !o.multiTurn && !o.prompt) throw new ConfigError(`--dataset ${o.dataset} holds conversations: add --multi-turn`);
  if (Array.isArray(o.maxTokens)) {
    const [lo, hi] = o.maxTokens;
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && lo <= hi)) throw new ConfigError(`--max-tokens ${lo} ${hi}: give one value, or two whole numbers min max with 0 <= min <= max`);
  }
  checkInts(o.number, '--number', 1);
  if (!o.openLoop) checkInts(o.parallel, '--parallel', 1);
  for (const r of o.rate) if (!Number.isFinite(r) || (r <= 0 && r !== -1)) throw new ConfigError(`--rate ${r}: give requests per second > 0, or -1 for no rate limit`);
  if (!Number.isInteger(o.logEveryNQuery) || o.logEveryNQuery < 0) throw new ConfigError(`--log-every-n-query ${o.logEveryNQuery}: must be a whole number >= 0 (0 = no progress lines)`);
  if (!(o.warmupNum >= 0)) throw new ConfigError(`--warmup-num ${o.warmupNum}: must be >= 0 (a count, or a share of --number below 1)`);
  if (o.duration !== undefined && !(o.duration > 0)) throw new ConfigError(`--duration ${o.duration}: must be a number of seconds > 0`);
  if (!(o.sleepInterval >= 0)) throw new ConfigError(`--sleep-interval ${o.sleepInterval}: must be a number of seconds >= 0`);
  for (const [flag, v] of [['--connect-timeout', o.connectTimeout], ['--read-timeout', o.readTimeout], ['--total-timeout', o.totalTimeout]] as const) {
    if (v !== undefined && !(v > 0)) throw new ConfigError(`${flag} ${v}: must be a number of seconds > 0`);
  }
  if (o.minPromptLength !== undefined && o.maxPromptLength !== undefined && o.minPromptLength > o.maxPromptLength) {
    throw new ConfigError(`--min-prompt-length ${o.minPromptLength} is greater than --max-prompt-length ${o.maxPromptLength}`);
  }
  if (!o.prompt && FILE_DATASETS.includes(o.dataset) && !o.datasetPath) {
    throw new ConfigError(
      `--dataset ${o.dataset} needs --dataset-path: llmperf never downloads datasets (evalscope fetches them from ModelScope); ` +
        `download the file once and pass its path, or use --prompt "text" or --dataset random`,
    );
  }
  if (trace) {
    // the trace sets the arrival times: one run per --number value (or one run of the whole trace)
    return o.number.map((n, i) => ({ index: i, parallel: -1, number: n, rate: -1, openLoop: true }));
  }
  if (o.openLoop) {
    if (o.rate.some((r) => r <= 0)) throw new ConfigError('--open-loop needs --rate with values > 0 (requests per second)');
    const size = Math.max(o.number.length, o.rate.length);
    const numbers = broadcast(o.number, size, '--number');
    const rates = broadcast(o.rate, size, '--rate');
    return numbers.map((n, i) => ({ index: i, parallel: -1, number: n, rate: rates[i]!, openLoop: true }));
  }
  const size = Math.max(o.number.length, o.parallel.length, o.rate.length);
  const numbers = broadcast(o.number, size, '--number');
  const parallels = broadcast(o.parallel, size, '--parallel');
  const rates = broadcast(o.rate, size, '--rate');
  return numbers.map((n, i) => ({ index: i, parallel: parallels[i]!, number: n, rate: rates[i]!, openLoop: false }));
}

/** Warmup requests before a run of `number` requests: evalscope's int(W), or max(1, int(W * number)) below 1. */
export function warmupCount(o: PerfOptions, number: number): number {
  if (o.warmupNum <= 0) return 0;
  if (o.warmupNum >= 1) return Math.floor(o.warmupNum);
  return Math.max(1, Math.floor(o.warmupNum * number));
}

/** The seed of the Poisson schedule (and the random dataset): --seed, else the one drawn for this invocation. */
export function scheduleSeed(o: PerfOptions): number {
  return Math.abs(Math.trunc(o.seed ?? o.drawnSeed ?? 0));
}

/**
 * The scenario a run maps to (an llmperf options.scenarios entry). `number` overrides the run's
 * (warmup runs use the same shape with fewer requests).
 */
export function scenarioFor(run: PerfRun, o: PerfOptions, number = run.number, trace?: { path: string; skip: number }): Record<string, unknown> {
  const totalS = o.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT_S;
  // After --duration (or the no-limit week) in-flight requests may finish: at most one total timeout.
  const gracefulStop = `${totalS + 5}s`;
  const duration = o.duration !== undefined ? `${o.duration}s` : NO_LIMIT;
  if (trace) {
    // workload_trace: the recorded arrival times, sped up by --dataset-args speed; records
    // [skip, skip + number) (a warm-up replays the first ones); open loop: a VU per request in flight
    const speed = Number(o.datasetArgs?.speed ?? 1);
    const pre = Math.min(number, 64);
    return {
      executor: 'replay', trace: trace.path, timeScale: speed > 0 ? 1 / speed : 1, skip: trace.skip, iterations: number,
      ...(o.duration !== undefined ? { duration } : {}), preAllocatedVUs: pre, maxVUs: Math.max(pre, number), gracefulStop,
    };
  }
  if (run.rate === -1 || o.multiTurn) {
    // --multi-turn: --parallel conversations at once whatever the rate (--rate adds pauses between turns)
    return { executor: 'shared-iterations', vus: Math.min(run.parallel, number), iterations: number, maxDuration: duration, gracefulStop };
  }
  const seed = scheduleSeed(o);
  if (run.openLoop) {
    // No concurrency cap: up to one VU per request. Pre-allocate enough for ~2 s of arrivals; more
    // are initialised as needed (an arrival that finds none idle meanwhile is counted as dropped).
    const pre = Math.min(number, Math.max(10, Math.ceil(run.rate * 2)), 256);
    return { executor: 'constant-arrival-rate', rate: run.rate, timeUnit: '1s', duration, preAllocatedVUs: pre, maxVUs: number, arrival: 'poisson', seed, iterations: number, gracefulStop };
  }
  // evalscope's semaphore: an arrival that finds all --parallel slots busy waits for one (queue: true)
  const vus = Math.min(run.parallel, number);
  return { executor: 'constant-arrival-rate', rate: run.rate, timeUnit: '1s', duration, preAllocatedVUs: vus, maxVUs: vus, arrival: 'poisson', seed, iterations: number, queue: true, gracefulStop };
}
