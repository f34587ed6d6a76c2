/**
 * `llmperf`: the core script API (check, group, sleep, fail, open) and, for Node programs, the
 * programmatic API (run, startMockServer).
 *
 * ```ts
 * import { check, group, sleep } from 'llmperf';
 * import llm from 'llmperf/llm';
 *
 * export default async function () {
 *   await group('short answers', async () => {
 *     const res = await llm.chat({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 16 });
 *     check(res, { 'status is 200': (r) => r.status === 200 });
 *   });
 *   await sleep(1);
 * }
 * ```
 *
 * The other modules: llmperf/llm, llmperf/metrics, llmperf/data, llmperf/execution, llmperf/options,
 * llmperf/dataset-plugin, llmperf/api-plugin.
 */
/// <reference path="./globals.d.ts" />

/** Tags on a check's samples; values are turned into strings. */
export type CheckTags = Record<string, string | number | boolean>;

/** A check: a predicate on the value, or a plain boolean. A predicate that throws counts as failed. */
export type Checker<T> = ((value: T) => unknown) | boolean;

/**
 * Runs each named check on `value` and records a pass or a fail in the `checks` rate (per name:
 * `checks{check:status is 200}`). Returns true when all passed. A failed check does not stop the
 * iteration; add a threshold such as `checks: ['rate>0.99']` to make it fail the run.
 */
export function check<T>(value: T, checks: Record<string, Checker<T>>, tags?: CheckTags): boolean;

/**
 * Runs `fn` in a group: its samples get the tag `group` = `::name` (nested: `::outer::inner`).
 * Returns what `fn` returns; await it when `fn` is async.
 */
export function group<R>(name: string, fn: () => R): R;

/** Waits `seconds` (fractions allowed), timed on the host. Always await it. */
export function sleep(seconds: number): Promise<void>;

/** Ends this iteration with an error (counted in the summary's script errors); the VU goes on with the next one. */
export function fail(message?: string): never;

/**
 * Reads a file in init code, relative to the script's folder (also available as a global).
 * Text by default; `'b'` for bytes.
 */
export function open(path: string): string;
export function open(path: string, mode: 'b'): ArrayBuffer;

declare const llmperf: {
  check: typeof check;
  group: typeof group;
  sleep: typeof sleep;
  fail: typeof fail;
  open: typeof open;
};
export default llmperf;

export type { Options } from './options.js';
export type { SummaryData } from './summary.js';
export {
  run,
  errorExit,
  ExitCode,
  LlmperfError,
  ConfigError,
  ScriptError,
  startMockServer,
  type RunOptions,
  type RunOutput,
  type Overrides,
  type SampleListener,
  type Sample,
  type RequestRecord,
  type ExitCodeValue,
  type MockServer,
  type MockServerOptions,
} from './run.js';
