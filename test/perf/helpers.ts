/** Helpers of the `llmperf perf` suites: options with evalscope's defaults, an in-process run that captures its output. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PerfOptions } from '../../runtime/perf/config.ts';
import { runPerf, type PerfOutcome } from '../../runtime/perf/run.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
export const DATASETS = path.join(FIXTURES, 'datasets');
export const PERF_FIXTURES = path.join(FIXTURES, 'perf');

/** What the CLI builds from `llmperf perf --model m` (evalscope's defaults), plus `over`. */
export function perfOptions(over: Partial<PerfOptions> = {}): PerfOptions {
  return {
    model: 'test-model',
    api: 'openai',
    headers: {},
    // evalscope's connection test sends one real request: off here so the suites count only the run's
    // requests (test/perf/probe.test.ts covers the test itself)
    testConnection: false,
    number: [4],
    parallel: [2],
    rate: [-1],
    openLoop: false,
    warmupNum: 0,
    sleepInterval: 0,
    logEveryNQuery: 10,
    debug: false,
    dataset: 'openqa',
    datasetOffset: 0,
    stream: true,
    outputsDir: mkdtempSync(path.join(tmpdir(), 'llmperf-perf-')),
    noTimestamp: false,
    ...over,
  };
}

export interface Captured extends PerfOutcome {
  out: string;
  log: string[];
}

/** Runs `llmperf perf` in this process; relative paths resolve against `baseDir` (default: the fixtures). */
export async function perfRun(o: PerfOptions, baseDir = DATASETS): Promise<Captured> {
  let out = '';
  const log: string[] = [];
  const outcome = await runPerf(o, { log: (l) => log.push(l), out: (t) => (out += t + '\n'), commandLine: 'llmperf perf (test)', baseDir });
  return { ...outcome, out, log };
}

/** The JSON bodies of the requests, from --debug's "DEBUG > POST url {headers} body" lines. */
export function debugBodies(log: string[]): Array<Record<string, unknown>> {
  return log
    .filter((l) => l.startsWith('DEBUG > '))
    .map((l) => {
      const i = l.indexOf('} {');
      return JSON.parse(l.slice(i + 2)) as Record<string, unknown>;
    });
}

/** The headers of the requests, from --debug's lines. */
export function debugHeaders(log: string[]): Array<Record<string, string>> {
  return log
    .filter((l) => l.startsWith('DEBUG > '))
    .map((l) => {
      const start = l.indexOf(' {');
      const end = l.indexOf('} {');
      return JSON.parse(l.slice(start + 1, end + 1)) as Record<string, string>;
    });
}
