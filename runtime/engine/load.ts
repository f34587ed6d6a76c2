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
import { FileAccess } from './file-access.ts';
import { Services } from './services.ts';
import { VuFactory } from './vus.ts';
import { checkIsolateSizing } from './limits.ts';
import { LlmperfError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';

/** Exit 105 for a run stopped by a signal before it started. */
export function interruptedError(when: string): LlmperfError {
  return new LlmperfError('INTERRUPTED', `interrupted ${when}: nothing was run`, ExitCode.INTERRUPTED);
}

export type ScriptSource = { path: string } | { source: string; filename?: string; baseDir?: string };

/** What loading needs: the public run() options that concern the script and its VUs (types/run.d.ts). */
export interface LoadRequest
  extends Pick<PublicRunOptions, 'env' | 'systemEnv' | 'log' | 'debug' | 'consoleLog' | 'consoleDebug' | 'storeBodies' | 'vusPerIsolate' | 'vusPerContext' | 'isolateThreads' | 'isolateMemoryMb' | 'initTimeoutMs' | 'ioThreads' | 'allowRead' | 'allowWrite' | 'signal' | 'hardSignal'> {
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
  /** VU 0: ran the init code; runs setup(), teardown() and handleSummary() (see lifecycleVu) */
  readonly probe: VU;
  /**
   * VU 0 for setup(), teardown() and handleSummary(): the probe VU, or, when its isolate died during
   * the run (another VU of the isolate exceeded its memory or ran stuck), a fresh one (init code runs
   * again in a new isolate), so that these functions still run.
   */
  lifecycleVu(): Promise<VU>;
  /** `export const options`, as JSON gives it back ({} when the script exports none) */
  scriptOptions: ScriptOptions;
  /** names of the exported functions (default, setup, teardown, handleSummary, scenario exec functions) */
  functions: string[];
  clock: RunClock;
  control: RunControl;
  /** what the script may read and write on the host (its folder, --allow-read, --allow-write) */
  files: FileAccess;
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
  checkIsolateSizing(req);
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await initHistograms();
  const bundle = await bundleScript(req.script);
  const mapper = new PositionMapper(bundle);
  const env = scriptEnv(req);
  const registry = new Registry();
  const emitter = new Emitter(registry);
  emitter.onLimit = (m) => log(`WARN ${m}`);
  const clock = new RunClock();
  const control = new RunControl();
  const setupData: { json: string | undefined } = { json: undefined };
  const pool = new IsolatePool(bundle, { memoryLimitMb: req.isolateMemoryMb ?? 256, vusPerIsolate: req.vusPerIsolate ?? 32, vusPerContext: req.vusPerContext ?? 1, threads: req.isolateThreads === true });
  let vus: VuFactory | undefined;
  const files = new FileAccess(bundle.baseDir, req.allowRead ?? [], req.allowWrite ?? []);
  const services = new Services({
    files,
    emitter,
    baseDir: bundle.baseDir,
    storeBodies: req.storeBodies ?? true,
    now: clock.now,
    runStart: () => clock.t0,
    monoOffset: clock.monoOffset,
    hardStop: control.hardStopAll.signal,
    log: (level: LogLevel, vu: number, msg: string) => {
      if (level === 'debug' && req.consoleDebug === false) return;
      const line = `${level === 'log' ? 'INFO' : level.toUpperCase()}[vu ${vu}] ${msg}`;
      if (req.consoleLog) req.consoleLog(level, line);
      else log(line);
    },
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
    debugBodies: req.debug !== 'headers',
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
  const lifecycleVu = async (): Promise<VU> => {
    if (!probe!.isolateDisposed || disposed) return probe!;
    const fresh = await factory.create(true);
    probe!.dispose();
    probe = fresh;
    return fresh;
  };
  // a signal while the init code runs (an endless loop, a slow load) stops it: its isolate is disposed
  let interrupted = false;
  const onSignal = () => {
    if (probe || disposed) return;
    interrupted = true;
    dispose();
  };
  for (const s of [req.signal, req.hardSignal]) {
    if (s?.aborted) onSignal();
    s?.addEventListener('abort', onSignal, { once: true });
  }
  try {
    if (interrupted) throw interruptedError('before the script was loaded');
    probe = await factory.create(true).catch((e: unknown) => {
      throw interrupted ? interruptedError('while the init code ran') : e;
    });
    const exp = await probe.exports();
    const scriptOptions = exp.options ? (JSON.parse(exp.options) as ScriptOptions) : {};
    return {
      bundle, mapper, env, log, registry, emitter, services, pool, vus: factory, scriptOptions, functions: exp.functions, clock, control, files, setupData, dispose, lifecycleVu,
      get probe() {
        return probe!;
      },
    };
  } catch (e) {
    dispose();
    throw e;
  }
}
