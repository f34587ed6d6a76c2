/**
 * The host <-> VU bridge, typed in one place. The prelude (runtime/vu/prelude.ts) calls these by
 * the global names below; runtime/vu/host.ts implements them. Every argument and result crosses
 * the isolate boundary by copy (structured clone) — no host object is ever reachable from a VU.
 *
 * Modes: `async` functions return a promise inside the VU (the VU's isolate keeps running other
 * VUs meanwhile; inline, the host settles it later with entry.settle); `sync` ones block the calling VU briefly; `ignored` ones are fire-and-forget;
 * `syncPromise` blocks the calling isolate until the host's promise settles (init-time loading only).
 */
import type { LlmCallOptions, LlmResult } from '../llm/types.ts';
import type { MetricType } from '../metrics/types.ts';

export type LlmKind = 'chat' | 'complete' | 'request';
export type LogLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

export interface DatasetHandle {
  id: number;
  size: number;
  name: string;
}

/** Per-iteration context the host hands to the VU's iterate entry point. */
export interface IterationInfo {
  exec: string;
  iter: number;
  scenario: string;
  executor: string;
  /** this VU's iterations in this scenario so far (k6 exec.vu.iterationInScenario) */
  iterInScenario: number;
  /** unique iteration number across the scenario (k6 exec.scenario.iterationInTest) */
  iterInTest: number;
  scenarioStartTime: number;
  scenarioTags: Record<string, string>;
  /** replay executor: the trace record this iteration replays (exec.scenario.replay) */
  replay?: ReplayIterationData;
}

/** One trace record as a replay iteration sees it (types/execution.d.ts ReplayRecord). */
export interface ReplayIterationData {
  /** the record's number in the trace (sorted by timestamp), from 0 */
  index: number;
  /** the trace's timestamp, ms, and the planned start offset after timeScale, ms from the scenario's start */
  timestamp: number;
  offset: number;
  inputLength: number;
  outputLength: number;
  hashIds: number[];
  /** a prompt of about inputLength tokens whose leading blocks follow hash_ids (shared prefixes) */
  prompt: string;
  /** line of the trace file */
  line: number;
}

/** Result of one iteration as the VU reports it. */
export type IterationOutcome =
  | { ok: true }
  | { ok: false; error: { message: string; stack: string; name: string; kind: 'exception' | 'fail' | 'abort' } };

export interface HostFunctions {
  llm: { mode: 'async'; fn: (kind: LlmKind, params: Record<string, unknown>, opts: LlmCallOptions | null, group: string) => Promise<LlmResult> };
  sleep: { mode: 'async'; fn: (ms: number) => Promise<void> };
  dataset: { mode: 'syncPromise'; fn: (kind: string, args: Record<string, unknown>) => Promise<DatasetHandle> };
  datasetGet: { mode: 'sync'; fn: (id: number, index: number) => unknown };
  datasetNext: { mode: 'sync'; fn: (id: number) => unknown };
  open: { mode: 'sync'; fn: (path: string, binary: boolean) => string | ArrayBuffer };
  define: { mode: 'sync'; fn: (name: string, type: MetricType, isTime: boolean) => void };
  execInfo: { mode: 'sync'; fn: (what: 'progress' | 'instance') => Record<string, number> };
  metric: { mode: 'ignored'; fn: (name: string, value: number, tags: Record<string, string> | null, group: string) => void };
  check: { mode: 'ignored'; fn: (name: string, ok: boolean, tags: Record<string, string> | null, group: string) => void };
  log: { mode: 'ignored'; fn: (level: LogLevel, msg: string) => void };
  abort: { mode: 'ignored'; fn: (msg: string) => void };
  /** inline mode: an iteration or lifecycle call started with entry.start(token, …) has ended */
  done: { mode: 'sync'; fn: (token: number, outcome: unknown) => void };
}

export type HostName = keyof HostFunctions;
export type HostImpl = { [K in HostName]: HostFunctions[K]['fn'] };

/** Global name of each host function inside a VU context (removed from globalThis by the prelude). */
export const HOST_GLOBAL_PREFIX = '__llmperf_host_';

export const HOST_MODES: { [K in HostName]: HostFunctions[K]['mode'] } = {
  llm: 'async',
  sleep: 'async',
  dataset: 'syncPromise',
  datasetGet: 'sync',
  datasetNext: 'sync',
  open: 'sync',
  define: 'sync',
  execInfo: 'sync',
  metric: 'ignored',
  check: 'ignored',
  log: 'ignored',
  abort: 'ignored',
  done: 'sync',
};
