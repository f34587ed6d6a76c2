/**
 * The messages between the host and a VU, typed in one place: what the host hands to a VU's entry
 * points (script/entry.ts) and what they answer, and the values host functions exchange. The host
 * functions themselves are declared in bindings.ts. Everything crosses the isolate boundary by copy
 * (structured clone): no host object is ever reachable from a VU.
 *
 * This file holds types only; the script side (script/*.ts, bundled into the isolate) imports it.
 */
import type { ScenarioInfo } from '../../types/execution.d.ts';

/** Which llm.* call made a request (runtime/llm/kinds.ts maps it to an endpoint and a default API). */
export type LlmKind = 'chat' | 'complete' | 'request' | 'embed' | 'rerank' | 'responses';
export type LogLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';
export type ExecInfoKind = 'progress' | 'instance';

/** A dataset loaded on the host, as a VU refers to it. */
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
  executor: ScenarioInfo['executor'];
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

/** An error thrown by VU code: `fail` from fail(), `abort` from exec.test.abort(). */
export interface VuError {
  message: string;
  stack: string;
  name: string;
  kind: 'exception' | 'fail' | 'abort';
}

/** Result of one iteration as the VU reports it. */
export type IterationOutcome = { ok: true } | { ok: false; error: VuError };

/** Result of a lifecycle call (setup, teardown, handleSummary): `absent` when the script does not export it. */
export type CallOutcome = { ok: true; absent?: boolean; result?: string } | { ok: false; error: VuError };

/** What the probe VU reports about the script's exports. */
export interface ScriptExports {
  functions: string[];
  /** `export const options`, as JSON */
  options: string | null;
}

/** The entry points every VU registers in `__llmperf_vus` (its id -> these); the host calls them. */
export interface VuEntry {
  init_exports(): ScriptExports;
  /** init code is over: open(), datasets and new metrics are refused from now on */
  end_init(): void;
  set_data(json: string | undefined): void;
  iterate(info: IterationInfo): Promise<IterationOutcome>;
  call(name: string, json: string | undefined): Promise<CallOutcome>;
  /** inline mode: starts an iteration or a lifecycle call; its outcome comes back through the `done` host function */
  start(token: number, kind: 'iterate' | 'call', a: IterationInfo | string, b: string | undefined): void;
  /** inline mode: the host's part of async host call `id` has ended (value: the result, or the error message) */
  settle(id: number, ok: boolean, value: unknown): void;
}
