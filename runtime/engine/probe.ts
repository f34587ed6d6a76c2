/**
 * Reads a script's exported options without running a test: bundle, then run the init code once in
 * a probe VU, as `llmperf run` does before it plans anything (k6 does the same). Used by
 * `llmperf inspect`. Init code really runs: datasets load and open() reads files.
 */
import { bundleScript, type Bundle } from '../bundle/bundle.ts';
import { ScriptError } from '../errors.ts';
import type { ScenarioConfig } from '../executors/index.ts';
import { PositionMapper } from '../bundle/sourcemap.ts';
import { initHistograms } from '../metrics/hdr.ts';
import { Registry } from '../metrics/registry.ts';
import type { LlmClient } from '../llm/client.ts';
import { openaiApi } from '../llm/openai.ts';
import type { ScriptOptions } from '../options/resolve.ts';
import { IsolatePool } from '../vu/isolates.ts';
import type { LogLevel } from '../vu/protocol.ts';
import { Emitter } from './emitter.ts';
import { initLlm, Services } from './services.ts';
import { VuFactory } from './vus.ts';

export interface ScriptProbe {
  bundle: Bundle;
  /** `export const options`, as JSON gives it back ({} when the script exports none). */
  options: ScriptOptions;
  /** Names of the exported functions (default, setup, teardown, handleSummary, scenario exec functions). */
  functions: string[];
  /** The metric registry after init code ran: built-in metrics plus the script's custom ones. */
  registry: Registry;
}

export type ScriptSource = { path: string } | { source: string; filename?: string; baseDir?: string };

/**
 * Bundles `script` and runs its init code in one VU with `env` as __ENV; returns its options.
 * Throws ScriptError (bundle or init failure, with the user's file:line) or ConfigError.
 */
export async function loadScriptOptions(
  script: ScriptSource,
  env: Record<string, string>,
  opts: { log?: (line: string) => void; isolateMemoryMb?: number } = {},
): Promise<ScriptProbe> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await initHistograms();
  const bundle = await bundleScript(script);
  const registry = new Registry();
  const hardStop = new AbortController();
  const services = new Services({
    emitter: new Emitter(registry),
    // init code makes no requests: llm calls fail with "no target URL" as they would at init time
    client: undefined as unknown as LlmClient,
    llm: initLlm(),
    apis: new Map([[openaiApi.name, openaiApi]]),
    baseDir: bundle.baseDir,
    runTags: {},
    slo: undefined,
    storeBodies: false,
    tokenizer: undefined,
    now: () => 0,
    runStart: () => 0,
    monoOffset: 0,
    hardStop: hardStop.signal,
    log: (level: LogLevel, vu: number, msg: string) => log(`${level === 'log' ? 'INFO' : level.toUpperCase()}[vu ${vu}] ${msg}`),
    abort: () => undefined,
    execInfo: () => ({ progress: 0, vusActive: 0, vusInitialized: 0, iterationsCompleted: 0, iterationsInterrupted: 0, currentTestRunDuration: 0 }),
  });
  const pool = new IsolatePool(bundle, { memoryLimitMb: opts.isolateMemoryMb ?? 256, vusPerIsolate: 1 });
  const vus = new VuFactory(pool, services, env, new PositionMapper(bundle), () => undefined);
  try {
    const probe = await vus.create(true);
    try {
      const exp = await probe.exports();
      const options = exp.options ? (JSON.parse(exp.options) as ScriptOptions) : {};
      return { bundle, options, functions: exp.functions, registry };
    } finally {
      probe.dispose();
    }
  } finally {
    hardStop.abort();
    pool.dispose();
  }
}

/** Every scenario's `exec` must name an exported function; throws ScriptError naming the fix. */
export function checkExecFunctions(scenarios: readonly ScenarioConfig[], functions: readonly string[]): void {
  for (const s of scenarios) {
    if (functions.includes(s.exec)) continue;
    throw new ScriptError(
      s.exec === 'default'
        ? `the script has no default export: add \`export default async function () { ... }\` (or give scenarios.${s.name}.exec)`
        : `scenarios.${s.name}.exec: the script exports no function named "${s.exec}" (exported: ${functions.join(', ') || 'none'})`,
      'NO_EXEC_FUNCTION',
    );
  }
}
