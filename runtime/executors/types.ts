import type { ExecutionSegment } from './segment.ts';
/** Executor configuration (normalised from script options) and the contract between executors and the engine. */

import type { TraceRecord } from '../datasets/replay.ts';
import type { Tokenizer } from '../tokenizers/index.ts';
import type { ReplayIterationData } from '../vu/protocol.ts';

export type ExecutorName = 'shared-iterations' | 'per-vu-iterations' | 'constant-vus' | 'ramping-vus' | 'constant-arrival-rate' | 'ramping-arrival-rate' | 'replay';

export type ArrivalProcess = 'constant' | 'poisson' | { gamma: number };

export interface Stage {
  durationMs: number;
  target: number;
}

export interface CommonConfig {
  name: string;
  /** this instance's execution segment (scale-out); absent = the whole test */
  segment?: ExecutionSegment;
  executor: ExecutorName;
  startTimeMs: number;
  gracefulStopMs: number;
  /** exported function to run (default: the default export) */
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
}

export interface SharedIterationsConfig extends CommonConfig {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface PerVuIterationsConfig extends CommonConfig {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface ConstantVusConfig extends CommonConfig {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface RampingVusConfig extends CommonConfig {
  executor: 'ramping-vus';
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
}
export interface ConstantArrivalRateConfig extends CommonConfig {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  arrival: ArrivalProcess;
  seed: number;
  /** stop once this many iterations have started (0 = no cap); arrivals dropped for want of a VU don't count */
  iterations: number;
  /** an arrival that finds every VU busy (maxVUs reached) waits for one instead of being dropped */
  queue: boolean;
}
export interface RampingArrivalRateConfig extends CommonConfig {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs: number;
  arrival: ArrivalProcess;
  seed: number;
  /** an arrival that finds every VU busy (maxVUs reached) waits for one instead of being dropped */
  queue: boolean;
}

/** replay: one iteration per record of a Mooncake-style JSONL trace, at the trace's timestamps (see replay.ts). */
export interface ReplayConfig extends CommonConfig {
  executor: 'replay';
  /** the trace file as given (relative to the script); `traceFile` once resolved by prepare() */
  trace: string;
  traceFile?: string;
  /** multiplies the trace's time offsets: 0.5 replays twice as fast */
  timeScale: number;
  /** replay only the records whose scaled offset is below this (0 = the whole trace) */
  durationMs: number;
  /** leave out the trace's first records (sorted by timestamp); the replay starts at the next one */
  skip: number;
  /** replay at most this many records (0 = all) */
  iterations: number;
  preAllocatedVUs: number;
  maxVUs: number;
  /** set by prepare() (not enumerable: kept out of run.json): this instance's records, in order */
  readonly entries?: readonly ReplayEntry[];
  readonly tokenizer?: Tokenizer;
}

/** One trace record to replay: its number in the whole trace and its planned offset (ms, after timeScale). */
export interface ReplayEntry {
  index: number;
  offset: number;
  record: TraceRecord;
}

export type ScenarioConfig =
  | ReplayConfig
  | SharedIterationsConfig
  | PerVuIterationsConfig
  | ConstantVusConfig
  | RampingVusConfig
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig;

/** Reads and validates fields of one raw scenario object; errors name the scenario and field. */
export interface FieldReader {
  int(key: string, def?: number, min?: number): number;
  num(key: string, def?: number, min?: number): number;
  duration(key: string, def?: string | number): number;
  stages(key: string): Stage[];
  arrival(): ArrivalProcess;
  bool(key: string, def: boolean): boolean;
  /** rejects keys this executor does not know (with a suggestion) */
  only(keys: readonly string[]): void;
}

/** What an executor's pure plan tells the engine before anything runs. */
export interface ExecutionPlan {
  /** VUs to initialise before the test starts */
  preAllocatedVUs: number;
  /** most VUs this scenario may ever use */
  maxVUs: number;
  /** scenario length without graceful stop (ms), from its startTime; for shared/per-vu iterations the max duration */
  durationMs: number;
  /** total iterations when known in advance (iteration-count executors, constant arrivals) */
  iterations: number | null;
  /** one line, as k6 prints it: "20 iterations shared among 4 VUs (maxDuration: 30s, gracefulStop: 30s)" */
  description: string;
}

/** One iteration request from an executor to the engine. */
export interface IterationRequest {
  /** ms since run start; arrival-rate executors only */
  plannedStart: number | null;
  /**
   * ms this arrival waited for a free VU (arrival-rate executors with `queue: true`): reported as
   * llm_queue_wait and left out of llm_schedule_lag, which is the client's own delay
   */
  queuedMs?: number;
  /** interrupts this iteration only (ramping-vus' gracefulRampDown) */
  signal?: AbortSignal;
  /** the trace record this iteration replays (replay executor), seen by the script as exec.scenario.replay */
  replay?: ReplayIterationData;
}

/** A VU as executors see it: an opaque handle they pass back to the engine. */
export interface VuHandle {
  readonly id: number;
}

/** What the engine offers an executor while it runs. */
export interface ExecutorContext {
  readonly config: ScenarioConfig;
  /** ms since run start, monotonic */
  now(): number;
  /** resolves at `t` (ms since run start), early when the run hard-stops; returns false then */
  sleepUntil(t: number): Promise<boolean>;
  /** aborted when this scenario must start no new iterations (its end, a signal, a threshold abort) */
  readonly stopNew: AbortSignal;
  /** aborted when in-flight iterations must be interrupted (after gracefulStop) */
  readonly hardStop: AbortSignal;
  /** pre-allocated VUs of this scenario */
  readonly vus: VuHandle[];
  /** allocates one more VU (arrival-rate executors, up to maxVUs); never rejects: null when the run is stopping or the VU could not start */
  allocateVU(): Promise<VuHandle | null>;
  /** runs one iteration on a VU; resolves when it ends (never rejects) */
  iterate(vu: VuHandle, req: IterationRequest): Promise<void>;
  /** k6's dropped_iterations */
  dropped(n: number): void;
  /** active VU count changed (for the vus gauge) */
  activeVUs(delta: number): void;
  /** progress 0..1 for the live display and exec.scenario.progress */
  setProgress(p: number): void;
}

/** What an executor's prepare() may use: files resolve against the script's folder. */
export interface PrepareEnv {
  baseDir: string;
  /** the absolute path of a file the script may read, or a ConfigError (runtime/engine/file-access.ts) */
  checkRead?(path: string, what: string): string;
  /** the run's tokenizer (options.llm.tokenizer), loaded on demand */
  tokenizer(): Promise<Tokenizer | undefined>;
}

export interface ExecutorDef<C extends ScenarioConfig> {
  /** validates and normalises the raw scenario object (throws ConfigError) */
  parse(raw: Record<string, unknown>, common: CommonConfig, f: FieldReader): C;
  /** optional I/O before planning (the replay executor reads its trace); returns the config to plan and run */
  prepare?(config: C, env: PrepareEnv): Promise<C>;
  plan(config: C): ExecutionPlan;
  run(config: C, ctx: ExecutorContext): Promise<void>;
}
