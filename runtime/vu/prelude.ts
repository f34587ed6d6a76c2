/**
 * The prelude: the code that runs first in every VU context, built from the script side's
 * TypeScript modules (runtime/vu/script/, entry script/index.ts) into one IIFE.
 *
 * The built CLI carries it as a string: build.mjs bundles it and injects it as
 * `__LLMPERF_PRELUDE__` (as it does __LLMPERF_VERSION__), so `llmperf run` never bundles it. Run from
 * source (tsx: tests, the bench's in-process parts), it is bundled on first use, once per process,
 * by the same function (prelude-bundle.mjs).
 */
declare const __LLMPERF_PRELUDE__: string | undefined;

/** The prelude's file name inside the isolate (stack traces). */
export const PRELUDE_FILENAME = 'llmperf-prelude.js';

let source: Promise<string> | undefined;

/** The prelude's code: embedded in dist, else bundled now (and kept). */
export function preludeSource(): Promise<string> {
  source ??= typeof __LLMPERF_PRELUDE__ === 'string' ? Promise.resolve(__LLMPERF_PRELUDE__) : import('./prelude-bundle.mjs').then((m) => m.bundlePrelude());
  return source;
}

