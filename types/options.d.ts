/**
 * `llmperf/options`: the type of a script's `export const options`. Write
 *
 * ```ts
 * import type { Options } from 'llmperf/options';
 * export const options = { ... } satisfies Options;
 * ```
 *
 * and the editor completes executors, their fields, built-in metric names and threshold
 * expressions; `tsc` rejects a misspelt executor (`'constant-vu'`), a misspelt aggregation
 * (`'pp(95)<500'`, `'average<3'`) or a unit in a threshold (`'p(95)<1.5s'`).
 *
 * Options are layered as in k6: defaults < `--config file.json` < the script's options < LLMPERF_*
 * environment variables < command-line flags (docs/options.md). The config file has this same shape.
 */

// ---------------------------------------------------------------------------------------------
// Durations

/**
 * A duration: a string of <number><unit> parts such as "30s", "1m30s", "500ms", "1.5h" (units h m s
 * ms us ns), a bare numeric string (seconds, as k6), or a number of milliseconds. Any string is
 * accepted here so that values from __ENV fit (`__ENV.DURATION ?? '30s'`); a malformed one stops the
 * run before it starts (exit 104).
 */
export type Duration = string | number;

// ---------------------------------------------------------------------------------------------
// Scenarios: one shape per executor (runtime/executors/*.ts)

/** Fields every scenario accepts. */
export interface BaseScenario {
  /** Delay from the start of the run before this scenario starts (default 0). */
  startTime?: Duration;
  /** How long in-flight iterations may finish after the scenario ends before they are interrupted (default "30s"). */
  gracefulStop?: Duration;
  /** The exported function to run (default: the default export). */
  exec?: string;
  /** k6's per-scenario `__ENV` variables: added to `__ENV` in this scenario's VUs. */
  env?: Record<string, string>;
  /** Tags added to every sample of this scenario (besides `scenario: <name>`). */
  tags?: Record<string, string>;
}

/** A fixed number of iterations shared among VUs; fast VUs do more. */
export interface SharedIterationsScenario extends BaseScenario {
  executor: 'shared-iterations';
  /** Default 1 (never more than iterations). */
  vus?: number;
  /** Total iterations (default 1). */
  iterations?: number;
  /** Stop starting iterations after this long (default "10m"). */
  maxDuration?: Duration;
}

/** Each VU runs the same number of iterations. */
export interface PerVuIterationsScenario extends BaseScenario {
  executor: 'per-vu-iterations';
  /** Default 1. */
  vus?: number;
  /** Iterations per VU (default 1). */
  iterations?: number;
  /** Default "10m". */
  maxDuration?: Duration;
}

/** A fixed number of VUs loop for a duration (closed loop). */
export interface ConstantVusScenario extends BaseScenario {
  executor: 'constant-vus';
  /** Default 1. */
  vus?: number;
  duration: Duration;
}

export interface Stage {
  duration: Duration;
  /** The VU count (ramping-vus) or the rate (ramping-arrival-rate) reached at the end of the stage. */
  target: number;
}

/** The number of looping VUs follows linear stages (closed loop). */
export interface RampingVusScenario extends BaseScenario {
  executor: 'ramping-vus';
  /** VUs at the start (default 1). */
  startVUs?: number;
  stages: Stage[];
  /** How long iterations of VUs being ramped down may finish (default "30s"). */
  gracefulRampDown?: Duration;
}

/**
 * How arrivals are spaced: 'constant' (evenly, the default), 'poisson' (exponential gaps, as
 * vLLM's --request-rate), or { gamma: burstiness } (gamma gaps: 1 is Poisson, < 1 burstier, > 1 smoother).
 */
export type Arrival = 'constant' | 'poisson' | { gamma: number };

/** Iterations start at a fixed rate whatever the response times (open loop). */
export interface ConstantArrivalRateScenario extends BaseScenario {
  executor: 'constant-arrival-rate';
  /** Iterations per timeUnit. */
  rate: number;
  /** Default "1s". */
  timeUnit?: Duration;
  duration: Duration;
  /** Stop after this many iterations have started, even before `duration` ends (default: no limit). */
  iterations?: number;
  /** VUs initialised before the start. */
  preAllocatedVUs: number;
  /** More VUs are added, up to this, when all are busy (default preAllocatedVUs); beyond it arrivals are dropped (or queued). */
  maxVUs?: number;
  arrival?: Arrival;
  /** Seed of the arrival times for poisson/gamma (default 1). */
  seed?: number;
  /**
   * An arrival that finds all maxVUs busy waits for the next free VU instead of being dropped
   * (default false). The wait is reported as llm_queue_wait, not as llm_schedule_lag.
   */
  queue?: boolean;
}

/** The arrival rate follows linear stages (open loop). */
export interface RampingArrivalRateScenario extends BaseScenario {
  executor: 'ramping-arrival-rate';
  /** Rate at the start (default 0). */
  startRate?: number;
  /** Default "1s". */
  timeUnit?: Duration;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs?: number;
  arrival?: Arrival;
  seed?: number;
  /** As constant-arrival-rate's: arrivals wait for a free VU instead of being dropped. */
  queue?: boolean;
}

/**
 * Replays a Mooncake-style JSONL trace (`{"timestamp": ms, "input_length": n, "output_length": n,
 * "hash_ids": [...]}` a line) or evalscope's workload_trace (`{"body": {...}, "timestamp": seconds}`):
 * one iteration per record at its timestamp (from the first record) times timeScale. The iteration
 * reads its record as `exec.scenario.replay` (index, prompt, outputLength, ...).
 */
export interface ReplayScenario extends BaseScenario {
  executor: 'replay';
  /** The trace file, relative to the script. */
  trace: string;
  /** Multiplies the trace's time offsets: 0.5 replays twice as fast (default 1). */
  timeScale?: number;
  /** Replay only the records within this much (scaled) time from the first (default: the whole trace). */
  duration?: Duration;
  /** Leave out the first records (in timestamp order); the replay starts at the next one's time (default 0). */
  skip?: number;
  /** Replay at most this many records (default: all). */
  iterations?: number;
  /** VUs initialised before the start (default 10). */
  preAllocatedVUs?: number;
  /** More VUs are added, up to this, when all are busy (default max(preAllocatedVUs, 100)); beyond it arrivals are dropped. */
  maxVUs?: number;
}

export type Scenario =
  | ReplayScenario
  | SharedIterationsScenario
  | PerVuIterationsScenario
  | ConstantVusScenario
  | RampingVusScenario
  | ConstantArrivalRateScenario
  | RampingArrivalRateScenario;

export type ExecutorName = Scenario['executor'];

// ---------------------------------------------------------------------------------------------
// Metrics and thresholds

/** Built-in trends (values in ms for the time ones). */
export type TrendMetricName =
  | 'llm_ttfb'
  | 'llm_ttft'
  | 'llm_tpot'
  | 'llm_itl'
  | 'llm_itl_token'
  | 'llm_e2e'
  | 'llm_input_tokens'
  | 'llm_output_tokens'
  | 'llm_output_tps'
  | 'llm_batch_size'
  | 'llm_input_tps'
  | 'llm_ttft_answer'
  | 'llm_reasoning_tokens'
  | 'llm_answer_tokens'
  | 'llm_schedule_lag'
  | 'llm_queue_wait'
  | 'iteration_duration';
/** Built-in counters. */
export type CounterMetricName =
  | 'llm_reqs'
  | 'llm_goodput'
  | 'llm_reqs_interrupted'
  | 'llm_token_mismatch'
  | 'llm_not_streamed'
  | 'iterations'
  | 'dropped_iterations'
  | 'data_sent'
  | 'data_received';
/** Built-in rates. */
export type RateMetricName = 'llm_req_failed' | 'checks';
/** Built-in gauges. */
export type GaugeMetricName = 'vus' | 'vus_max';
export type BuiltinMetricName = TrendMetricName | CounterMetricName | RateMetricName | GaugeMetricName;

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=' | '===';
export type TrendAggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'sum' | `p(${number})`;
export type CounterAggregation = 'count' | 'rate';
export type RateAggregation = 'rate' | 'count';
export type GaugeAggregation = 'value' | 'min' | 'max';
export type Aggregation = TrendAggregation | CounterAggregation | RateAggregation | GaugeAggregation;

/**
 * `<aggregation> <operator> <number>`, e.g. "p(95)<500", "rate < 0.01", "count>=100". The number is
 * plain: ms for time metrics, bytes for data, a fraction for rates (no units, no %).
 */
export type ThresholdExpression<A extends string = Aggregation> =
  | `${A}${ThresholdOperator}${number}`
  | `${A} ${ThresholdOperator} ${number}`
  | `${A}${ThresholdOperator} ${number}`
  | `${A} ${ThresholdOperator}${number}`;

export interface ThresholdObject<E extends string = ThresholdExpression> {
  threshold: E;
  /** Stop the run as soon as this threshold fails (exit 99). */
  abortOnFail?: boolean;
  /** Don't abort before this much run time has passed. */
  delayAbortEval?: Duration;
}

/** One expression, one object, or an array of either. */
export type Threshold<E extends string = ThresholdExpression> = E | ThresholdObject<E> | ReadonlyArray<E | ThresholdObject<E>>;

/** A threshold on a trend metric: avg, min, max, med, p(N), count, sum. */
export type TrendThreshold = Threshold<ThresholdExpression<TrendAggregation>>;
/** A threshold on a counter metric: count, rate (per second). */
export type CounterThreshold = Threshold<ThresholdExpression<CounterAggregation>>;
/** A threshold on a rate metric: rate (0..1), count. */
export type RateThreshold = Threshold<ThresholdExpression<RateAggregation>>;
/** A threshold on a gauge metric: value, min, max. */
export type GaugeThreshold = Threshold<ThresholdExpression<GaugeAggregation>>;

/**
 * Keys are metric names or sub-metric selectors, `name{tag:value,...}` (e.g.
 * `'llm_ttft{scenario:steady}'`). Built-in metrics only accept their type's aggregations; custom
 * metrics accept any.
 */
export type Thresholds = { [K in TrendMetricName | `${TrendMetricName}{${string}}`]?: TrendThreshold } & {
  [K in CounterMetricName | `${CounterMetricName}{${string}}`]?: CounterThreshold;
} & { [K in RateMetricName | `${RateMetricName}{${string}}`]?: RateThreshold } & {
  [K in GaugeMetricName | `${GaugeMetricName}{${string}}`]?: GaugeThreshold;
} & { [metric: string]: Threshold };

// ---------------------------------------------------------------------------------------------
// The target, SLOs, summary

/** The LLM target. Each field can also come from --config, LLMPERF_* variables and CLI flags. */
export interface LlmOptions {
  /** Base URL of the server, e.g. "http://127.0.0.1:8000/v1" (--url, LLMPERF_URL). Default: the built-in mock. */
  url?: string;
  /** Model name sent when a request has none (--model, LLMPERF_MODEL; default "mock-llm"). */
  model?: string;
  /** Sent as `Authorization: Bearer …`; never logged or stored (--api-key, LLMPERF_API_KEY). */
  apiKey?: string;
  /** Extra headers on every request (--header adds to them). */
  headers?: Record<string, string>;
  /** "openai" (default), "dashscope", or a plugin's name (--api, LLMPERF_API). */
  api?: string;
  /** Ask streaming servers for token usage (stream_options.include_usage; default true). */
  includeUsage?: boolean;
  /** Total time per request (default "10m"; --timeout, LLMPERF_TIMEOUT). */
  timeout?: Duration;
  /** TCP/TLS connect timeout (default "10s"). */
  connectTimeout?: Duration;
  /** Longest silence between bytes of a response (default "120s"). */
  readTimeout?: Duration;
  /** Tokenizer for token counts when the server sends no usage: a folder with tokenizer.json, or "tiktoken:o200k_base". */
  tokenizer?: string;
}

/**
 * Per-request latency objectives, inclusive bounds in ms. A request that succeeded and meets all of
 * them counts in `llm_goodput` (ITL: its largest gap; a latency a request lacks, such as the TPOT of
 * a one-token answer, is not held against it). The same check serves `--slo` in sweep and capacity.
 */
export interface SloOptions {
  ttft?: number;
  tpot?: number;
  e2e?: number;
  itl?: number;
  ttfb?: number;
}

/** A statistic shown for trends in the summary. */
export type TrendStat = 'avg' | 'min' | 'med' | 'max' | 'count' | 'sum' | `p(${number})`;

export interface Options {
  /** Shortcut: VUs of the default scenario (not together with `scenarios`). */
  vus?: number;
  /** Shortcut: total iterations shared among the VUs. */
  iterations?: number;
  /** Shortcut: how long the VUs loop (with iterations: the maximum duration). */
  duration?: Duration;
  /** Shortcut: a ramping-vus default scenario. */
  stages?: Stage[];
  /** Named scenarios, each run by an executor (names: letters, digits, _ and -). */
  scenarios?: Record<string, Scenario>;
  thresholds?: Thresholds;
  llm?: LlmOptions;
  slo?: SloOptions;
  /** Stats shown for trends (default ["avg", "min", "med", "max", "p(90)", "p(95)"]). */
  summaryTrendStats?: TrendStat[];
  /** A fixed time unit in the summary (default: chosen per value). */
  summaryTimeUnit?: 's' | 'ms' | 'us';
  /** Longest time setup() may take, awaited work included (default "60s"); past it the run stops with exit 100, as in k6. */
  setupTimeout?: Duration;
  /** Longest time teardown() may take, awaited work included (default "60s"); past it the run ends with exit 101, as in k6. */
  teardownTimeout?: Duration;
  /**
   * Accept any TLS certificate, as k6's insecureSkipTLSVerify (self-signed or internal-CA endpoints);
   * llmperf prints a warning when it is on. Default false.
   */
  insecureSkipTLSVerify?: boolean;
  /** Stop an iteration that runs on the CPU (without awaiting) longer than this; its VU is replaced (default "30s"). */
  iterationTimeout?: Duration;
  /** Tags added to every sample of the run. */
  tags?: Record<string, string>;
  /** A name for the run (shown in results). */
  name?: string;
  /** Load levels for `llmperf sweep` (ignored by `llmperf run`; --concurrency / --rate flags win). */
  sweep?: SweepOptions;
}

/** `options.sweep`: one of concurrency or rate. */
export interface SweepOptions {
  /** Closed-loop levels: VUs looping for levelDuration each. */
  concurrency?: number[];
  /** Open-loop levels: Poisson arrivals per second for levelDuration each. */
  rate?: number[];
  /** Length of each level (default "30s"). */
  levelDuration?: Duration;
}
