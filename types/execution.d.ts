/**
 * `llmperf/execution`: where the running iteration is (k6's k6/execution).
 *
 * ```ts
 * import exec from 'llmperf/execution';
 * if (exec.scenario.name === 'warmup') return;
 * if (errors > 100) exec.test.abort('too many errors');
 * ```
 */
/// <reference path="./globals.d.ts" />

export interface VuInfo {
  /** The VU's number in the test, from 1 (same as __VU; 0 in init code of the probe and in setup). */
  readonly idInTest: number;
  /** Same as idInTest (one instance). */
  readonly idInInstance: number;
  /** Iterations this VU has started, from 0 (same as __ITER). */
  readonly iterationInInstance: number;
  /** This VU's iterations in the current scenario so far, from 0 (as k6). */
  readonly iterationInScenario: number;
  /** The tags of the current scenario (run tags, scenario tags and `scenario`): a copy. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface ScenarioInfo {
  /** The scenario's name (the key in options.scenarios; "default" for the shortcut options). */
  readonly name: string;
  readonly executor: 'shared-iterations' | 'per-vu-iterations' | 'constant-vus' | 'ramping-vus' | 'constant-arrival-rate' | 'ramping-arrival-rate' | 'replay';
  /** The scenario's startTime, ms from the start of the run. */
  readonly startTime: number;
  /** The iteration's number within the scenario, from 0, across all its VUs. */
  readonly iterationInTest: number;
  /** How far the scenario has got, 0..1 (iterations done or time elapsed). */
  readonly progress: number;
  /** In a `replay` scenario: the trace record this iteration replays; undefined elsewhere. */
  readonly replay: ReplayRecord | undefined;
}

/** One record of a replayed trace, as the iteration that replays it sees it. */
export interface ReplayRecord {
  /** The record's number in the trace (sorted by timestamp), from 0. */
  readonly index: number;
  /** The trace's timestamp (ms) and the planned start after timeScale (ms from the scenario's start). */
  readonly timestamp: number;
  readonly offset: number;
  /** Prompt tokens and tokens to generate (use as max_tokens). */
  readonly inputLength: number;
  readonly outputLength: number;
  /** The trace's block hash ids (512-token blocks; equal ids, equal text). */
  readonly hashIds: readonly number[];
  /** A prompt of about inputLength tokens whose leading blocks follow hashIds (exact with a tokenizer). */
  readonly prompt: string;
  /** Line of the trace file. */
  readonly line: number;
}

export interface InstanceInfo {
  /** VUs running an iteration now. */
  readonly vusActive: number;
  /** VUs initialised so far. */
  readonly vusInitialized: number;
  readonly iterationsCompleted: number;
  readonly iterationsInterrupted: number;
  /** ms since the test started. */
  readonly currentTestRunDuration: number;
}

export interface TestControl {
  /**
   * Stops the whole run now: no new iterations, then teardown and the summary; the process exits
   * with 108. Throws, so the code after it in this iteration does not run.
   */
  abort(reason?: string): never;
}

export const vu: VuInfo;
export const scenario: ScenarioInfo;
export const instance: InstanceInfo;
export const test: TestControl;

declare const exec: {
  readonly vu: VuInfo;
  readonly scenario: ScenarioInfo;
  readonly instance: InstanceInfo;
  readonly test: TestControl;
};
export default exec;
