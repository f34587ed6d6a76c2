/**
 * Phase 1 of every run, `loadScript`: bundle the script, build the run's metric registry, the
 * services every VU binds to (once) and the isolate pool, run the init code once in the probe VU
 * (VU 0, which later runs setup(), teardown() and handleSummary()), and read its exports: `options`
 * and the names of the exported functions. `llmperf inspect`, `sweep` and `capacity` read a script's
 * options with this phase alone; every run continues with prepareRun (prepare.ts) and execute
 * (execute.ts). Init code really runs here: datasets load and open() reads files.
 */
import type { RunOptions as PublicRunOptions } from '../../types/run.d.ts';
import { bundleScript, type Bundle } from '../bundle/bundle.ts';
import { PositionMapper } from '../bundle/sourcemap.ts';
import { initHistograms } from '../metrics/hdr.ts';
import { Registry } from '../metrics/registry.ts';
import type { ScriptOptions } from '../options/resolve.ts';
import { IsolatePool } from '../vu/isolates.ts';
import type { LogLevel } from '../vu/protocol.ts';
import type { VU } from '../vu/vu.ts';
import { RunClock, RunControl } from './control.ts';
import { Emitter } from './emitter.ts';
import { Services } from './services.ts';
import { VuFactory } from './vus.ts';

export type ScriptSource = { path: string } | { source: string; filename?: string; baseDir?: string };

/** What loading needs: the public run() options that concern the script and its VUs (types/run.d.ts). */
export interface LoadRequest
  extends Pick<PublicRunOptions, 'env' | 'systemEnv' | 'log' | 'debug' | 'storeBodies' | 'vusPerIsolate' | 'vusPerContext' | 'isolateThreads' | 'isolateMemoryMb' | 'initTimeoutMs' | 'ioThreads'> {
  script: ScriptSource;
  /** the tokenizer init-time datasets use by default (--tokenizer; else LLMPERF_TOKENIZER) */
  tokenizer?: string;
}

export interface LoadedScript {
  bundle: Bundle;
  mapper: PositionMapper;
  /** __ENV of every VU */
  env: Record<string, string>;
  log: (line: string) => void;
  registry: Registry;
  emitter: Emitter;
  services: Services;
  pool: IsolatePool;
  vus: VuFactory;
  /** VU 0: ran the init code; runs setup(), teardown() and handleSummary() */
  probe: VU;
  /** `export const options`, as JSON gives it back ({} when the script exports none) */
  scriptOptions: ScriptOptions;
  /** names of the exported functions (default, setup, teardown, handleSummary, scenario exec functions) */
  functions: string[];
  clock: RunClock;
  control: RunControl;
  /** setup() data as JSON, handed to every VU */
  setupData: { json: string | undefined };
  /** disposes the VUs and the isolates (idempotent) */
  dispose(): void;
}

/** The script's __ENV: the system environment (unless systemEnv is false), then -e variables. */
export function scriptEnv(req: Pick<LoadRequest, 'env' | 'systemEnv'>): Record<string, string> {
  const env: Record<string, string> = {};
  if (req.systemEnv !== false) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, req.env ?? {});
  return env;
}

/** Loads the script (see the top of this file). Throws ScriptError or ConfigError with the user's file:line. */
export async function loadScript(req: LoadRequest): Promise<LoadedScript> {
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await initHistograms();
  const bundle = await bundleScript(req.script);
  const mapper = new PositionMapper(bundle);
  const env = scriptEnv(req);
  const registry = new Registry();
  const emitter = new Emitter(registry);
  const clock = new RunClock();
  const control = new RunControl();
  const setupData: { json: string | undefined } = { json: undefined };
  const pool = new IsolatePool(bundle, { memoryLimitMb: req.isolateMemoryMb ?? 256, vusPerIsolate: req.vusPerIsolate ?? 32, vusPerContext: req.vusPerContext ?? 1, threads: req.isolateThreads === true });
  let vus: VuFactory | undefined;
  const services = new Services({
    emitter,
    baseDir: bundle.baseDir,
    storeBodies: req.storeBodies ?? true,
    now: clock.now,
    runStart: () => clock.t0,
    monoOffset: clock.monoOffset,
    hardStop: control.hardStopAll.signal,
    log: (level: LogLevel, vu: number, msg: string) => log(`${level === 'log' ? 'INFO' : level.toUpperCase()}[vu ${vu}] ${msg}`),
    abort: (msg: string) => control.requestStop('script-abort', msg),
    execInfo: (vu, what): Record<string, number> => {
      if (what === 'progress') return { progress: control.scenarios.find((s) => s.config.name === vu.scenario)?.progress ?? 0 };
      return {
        vusActive: control.scenarios.reduce((a, s) => a + s.active, 0),
        vusInitialized: vus?.initialised ?? 0,
        iterationsCompleted: control.counters.iterationsDone,
        iterationsInterrupted: control.counters.interruptedIterations,
        currentTestRunDuration: clock.now(),
      };
    },
    debug: req.debug ? (l: string) => log(`DEBUG ${l}`) : undefined,
    initTokenizer: req.tokenizer ?? env.LLMPERF_TOKENIZER,
    warn: log,
  });
  const factory = new VuFactory(pool, services, env, mapper, () => setupData.json, req.initTimeoutMs ?? 60_000);
  vus = factory;
  let disposed = false;
  let probe: VU | undefined;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    control.hardStopAll.abort();
    probe?.dispose();
    factory.dispose();
    pool.dispose();
  };
  try {
    probe = await factory.create(true);
    const exp = await probe.exports();
    const scriptOptions = exp.options ? (JSON.parse(exp.options) as ScriptOptions) : {};
    return { bundle, mapper, env, log, registry, emitter, services, pool, vus: factory, probe, scriptOptions, functions: exp.functions, clock, control, setupData, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
