/**
 * Globals every llmperf script can use without importing anything. Each module of the script API
 * (`llmperf`, `llmperf/llm`, ...) references this file, so importing any of them brings these in.
 *
 * A script runs inside an isolated V8 context, not in Node: there is no `process`, `require`, `fs`
 * or `fetch`. Use `__ENV` for the environment, `open()` for files, `sleep()` from `llmperf` to wait
 * and `llmperf/llm` for requests. (setTimeout/clearTimeout exist too, but are not declared here so
 * that these declarations never clash with Node's in a program that imports `run` from 'llmperf'.)
 */

declare global {
  /** The VU number: 1, 2, ... in the test (0 in init code run by the probe and in setup/teardown). */
  var __VU: number;
  /** The iteration number of this VU, from 0. */
  var __ITER: number;
  /**
   * Environment variables: the system environment (unless `--no-system-env`) plus every `-e KEY=VALUE`,
   * plus the scenario's `env`. Values are strings; a variable that is not set is `undefined`.
   */
  var __ENV: { readonly [name: string]: string | undefined };

  /**
   * Reads a file in init code (at the top level of the script), relative to the script's folder.
   * Text by default; `open(path, 'b')` returns the bytes. Each file is read once per run, on the host.
   * Throws when called from a function that runs per iteration.
   */
  function open(path: string): string;
  function open(path: string, mode: 'b'): ArrayBuffer;

  /** Script logs go to llmperf's log (stderr), prefixed with the level and the VU: `INFO[vu 3] ...`. */
  interface Console {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
    debug(...data: unknown[]): void;
  }
  var console: Console;
}

export {};
