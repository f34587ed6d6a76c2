/**
 * One test run, start to end: bundle -> probe VU (options) -> thresholds -> target (embedded mock
 * when no URL) -> setup() -> VUs -> scenarios (executors) -> teardown() -> summary.
 * The CLI and the programmatic API both call runTest().
 */
import { bundleScript, type Bundle } from '../bundle/bundle.ts';
import { PositionMapper } from '../bundle/sourcemap.ts';
import { LlmperfError, ScriptAbort, ScriptError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseSegment, isFirstSegment } from '../executors/segment.ts';
import { readSetupData, writeSetupData } from './setup-data.ts';
import { applySegment, parseScenario, planScenario, prepareScenarios, runScenario, type ExecutionPlan, type ExecutorContext, type ScenarioConfig } from '../executors/index.ts';
import type { VuHandle } from '../executors/types.ts';
import type { ApiAdapter } from '../llm/api.ts';
import { LlmClient } from '../llm/client.ts';
import { probeTarget } from '../llm/probe.ts';
import { openaiApi } from '../llm/openai.ts';
import { initHistograms } from '../metrics/hdr.ts';
import { Registry } from '../metrics/registry.ts';
import { resolveOptions, type Overrides, type ResolvedOptions, type ScriptOptions } from '../options/resolve.ts';
import { compileThresholds, ThresholdEvaluator } from '../thresholds/index.ts';
import { IsolatePool } from '../vu/isolates.ts';
import type { LogLevel } from '../vu/protocol.ts';
import type { VU } from '../vu/vu.ts';
import { Emitter, type SampleListener } from './emitter.ts';
import { ScriptErrorLog } from './script-errors.ts';
import { Services } from './services.ts';
import { VuFactory } from './vus.ts';

export interface RunRequest {
  script: { path: string } | { source: string; filename?: string; baseDir?: string };
  overrides?: Overrides;
  /** replaces the resolved scenarios (sweeps and capacity searches: one load level per run); raw scenario objects by name */
  scenarioOverride?: Record<string, Record<string, unknown>>;
  /** the --config file's options: the layer between the defaults and the script's options */
  config?: ScriptOptions;
  /** -e KEY=VALUE variables (on top of the system environment unless systemEnv is false) */
  env?: Record<string, string>;
  systemEnv?: boolean;
  /** graceful interrupt (first SIGINT/SIGTERM) */
  signal?: AbortSignal;
  /** hard stop (second signal) */
  hardSignal?: AbortSignal;
  /** where progress lines, warnings and script logs go (default: stderr) */
  log?: (line: string) => void;
  listeners?: SampleListener[];
  /** extra API adapters (dashscope, plugins) by name */
  apis?: ApiAdapter[];
  /** probe the target before the run (default true; --no-test-connection) */
  testConnection?: boolean;
  /** start the embedded mock when no URL is configured (default true) */
  embeddedMock?: boolean;
  mockOptions?: Record<string, unknown>;
  vusPerIsolate?: number;
  isolateMemoryMb?: number;
  /** scale-out: this instance's execution segment (k6 syntax) and the sequence shared by all instances */
  segment?: { segment: string; sequence?: string };
  /** run setup() only in the segment that starts at 0 and pass its data to the others through setupDataFile */
  setupOnce?: boolean;
  /** with setupOnce: where setup() data is written / read; alone: read setup() data from it, skip setup() */
  setupDataFile?: string;
  /** init code (top level of the script) must finish within this (default 60 s) */
  initTimeoutMs?: number;
  storeBodies?: boolean;
  debug?: boolean;
  /** called once the plan is known, before VUs start (run directory, progress display) */
  onStart?: (info: RunStartInfo) => void | Promise<void>;
  /** called every second while running */
  onTick?: (info: RunTick) => void;
}

export interface RunStartInfo {
  bundle: Bundle;
  options: ResolvedOptions;
  scriptOptions: ScriptOptions;
  plans: Array<{ scenario: ScenarioConfig; plan: ExecutionPlan }>;
  targetUrl: string;
  embeddedMock: boolean;
  registry: Registry;
}

export interface RunTick {
  elapsedMs: number;
  scenarios: Array<{ name: string; progress: number; activeVUs: number; iterations: number; plan: ExecutionPlan }>;
  inflight: number;
}

export interface RunResult {
  exitCode: ExitCodeValue;
  /** why the run stopped early, if it did */
  stopReason: 'completed' | 'interrupted' | 'threshold-abort' | 'script-abort';
  abortMessage?: string;
  registry: Registry;
  evaluator: ThresholdEvaluator;
  options: ResolvedOptions;
  scriptOptions: ScriptOptions;
  plans: Array<{ scenario: ScenarioConfig; plan: ExecutionPlan }>;
  durationMs: number;
  startedAt: Date;
  targetUrl: string;
  embeddedMock: boolean;
  peakInflight: number;
  errorCounts: Record<string, number>;
  errorSamples: Record<string, string>;
  scriptErrors: ReturnType<ScriptErrorLog['entries']>;
  checks: Map<string, { passes: number; fails: number }>;
  setupData: string | undefined;
  handleSummary?: (dataJson: string) => Promise<Record<string, string> | undefined>;
  /** must be called when the caller is done with handleSummary (disposes isolates) */
  close(): Promise<void>;
  bundle: Bundle;
  vusMax: number;
  iterations: number;
  droppedIterations: number;
  interruptedIterations: number;
}

interface ScenarioState {
  config: ScenarioConfig;
  plan: ExecutionPlan;
  progress: number;
  active: number;
  iterations: number;
  vus: VU[];
  stopNew: AbortController;
  hardStop: AbortController;
}

export async function runTest(req: RunRequest): Promise<RunResult> {
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await initHistograms();
  const bundle = await bundleScript(req.script);
  const mapper = new PositionMapper(bundle);
  const registry = new Registry();
  const emitter = new Emitter(registry);
  for (const l of req.listeners ?? []) emitter.attach(l);

  const env: Record<string, string> = {};
  if (req.systemEnv !== false) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, req.env ?? {});

  const runStart = { t: performance.now() };
  const now = () => performance.now() - runStart.t;
  const monoOffset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  const hardStopAll = new AbortController();
  let abortMessage: string | undefined;
  const stop: { reason: RunResult['stopReason'] } = { reason: 'completed' };
  const scenarios: ScenarioState[] = [];
  const checks = new Map<string, { passes: number; fails: number }>();
  let interruptedIterations = 0;
  let droppedIterations = 0;
  let iterationsDone = 0;

  const pool = new IsolatePool(bundle, { memoryLimitMb: req.isolateMemoryMb ?? 256, vusPerIsolate: req.vusPerIsolate ?? 32 });
  const apis = new Map<string, ApiAdapter>([[openaiApi.name, openaiApi]]);
  for (const a of req.apis ?? []) apis.set(a.name, a);

  // The LLM client is created once options are known; services reach it lazily.
  const holder: { client?: LlmClient; services?: Services; options?: ResolvedOptions } = {};
  const requestStop = (reason: RunResult['stopReason'], msg?: string) => {
    if (stop.reason !== 'completed') return;
    stop.reason = reason;
    abortMessage = msg;
    for (const s of scenarios) s.stopNew.abort();
  };
  const servicesProxy = () => holder.services!;
  const lazyServices = new Proxy({} as Services, { get: (_t, p) => {
    const s = servicesProxy();
    const v = (s as unknown as Record<string | symbol, unknown>)[p];
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(s) : v;
  } });
  const setupDataRef: { json: string | undefined } = { json: undefined };
  const vus = new VuFactory(pool, lazyServices, env, mapper, () => setupDataRef.json, req.initTimeoutMs ?? 60_000);

  // Services need options (target, slo) — but the probe VU runs init code first to *get* options.
  // Start with a provisional service set for init-time bindings (define, open, datasets).
  const makeServices = (options: ResolvedOptions | undefined, client: LlmClient | undefined) =>
    new Services({
      emitter,
      client: client as LlmClient,
      llm: options?.llm ?? { url: undefined, model: 'mock-llm', apiKey: undefined, headers: {}, api: 'openai', includeUsage: true, totalTimeoutMs: 600_000, connectTimeoutMs: 10_000, readTimeoutMs: 120_000, tokenizer: req.overrides?.tokenizer ?? env.LLMPERF_TOKENIZER },
      apis,
      baseDir: bundle.baseDir,
      runTags: options?.tags ?? {},
      slo: options?.slo,
      storeBodies: req.storeBodies ?? true,
      tokenizer: undefined,
      now,
      monoOffset,
      hardStop: hardStopAll.signal,
      log: (level: LogLevel, vu: number, msg: string) => log(`${level === 'log' ? 'INFO' : level.toUpperCase()}[vu ${vu}] ${msg}`),
      abort: (msg: string) => requestStop('script-abort', msg),
      execInfo: (vu, what): Record<string, number> => {
        if (what === 'progress') return { progress: scenarios.find((s) => s.config.name === vu.scenario)?.progress ?? 0 };
        return {
          vusActive: scenarios.reduce((a, s) => a + s.active, 0),
          vusInitialized: vus.initialised,
          iterationsCompleted: iterationsDone,
          iterationsInterrupted: interruptedIterations,
          currentTestRunDuration: now(),
        };
      },
      ...(req.debug ? { debug: (l: string) => log(`DEBUG ${l}`) } : {}),
    });
  holder.services = makeServices(undefined, undefined);

  const cleanup: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const c of cleanup.reverse()) {
      try {
        await c();
      } catch {
        /* best effort */
      }
    }
    cleanup.length = 0;
  };
  cleanup.push(() => pool.dispose());

  try {
    // ---- probe VU: init code once, to read options (as k6 does)
    const probe = await vus.create(true);
    cleanup.push(() => probe.dispose());
    const exp = await probe.exports();
    let scriptOptions: ScriptOptions = {};
    if (exp.options) scriptOptions = JSON.parse(exp.options) as ScriptOptions;
    const options = resolveOptions(scriptOptions, env, req.overrides ?? {}, req.config);
    if (req.scenarioOverride) options.scenarios = Object.entries(req.scenarioOverride).map(([name, raw]) => parseScenario(name, raw));
    const segment = req.segment ? parseSegment(req.segment.segment, req.segment.sequence) : undefined;
    if (segment) options.scenarios = options.scenarios.map((sc) => applySegment(sc, segment));
    options.scenarios = await prepareScenarios(options.scenarios, { baseDir: bundle.baseDir, tokenizer: async () => (options.llm.tokenizer ? holder.services!.tokenizer(options.llm.tokenizer) : undefined) });
    holder.options = options;
    for (const s of options.scenarios) {
      if (!exp.functions.includes(s.exec)) {
        throw new ScriptError(
          s.exec === 'default'
            ? `the script has no default export: add \`export default async function () { ... }\` (or give scenarios.${s.name}.exec)`
            : `scenarios.${s.name}.exec: the script exports no function named "${s.exec}" (exported: ${exp.functions.join(', ') || 'none'})`,
          'NO_EXEC_FUNCTION',
        );
      }
    }
    const evaluator = new ThresholdEvaluator(compileThresholds(options.thresholds, registry));
    const plans = options.scenarios.map((scenario) => ({ scenario, plan: planScenario(scenario) }));

    // ---- target
    let targetUrl = options.llm.url;
    let embedded = false;
    if (!targetUrl) {
      if (req.embeddedMock === false) throw new LlmperfError('NO_TARGET', 'no target URL: give --url, LLMPERF_URL or options.llm.url', ExitCode.INVALID_CONFIG);
      const { startMockServer, parseMockOptions } = await import('../mock/index.ts');
      const mock = await startMockServer(parseMockOptions(req.mockOptions ?? {}));
      cleanup.push(() => mock.close());
      targetUrl = mock.url;
      embedded = true;
      options.llm.url = targetUrl;
      log(`no target URL given: benchmarking the built-in mock LLM server at ${targetUrl} (give --url to test a real server)`);
    }
    if (!embedded && req.testConnection !== false) await probeTarget(targetUrl, options.llm.connectTimeoutMs);
    const maxVUs = plans.reduce((a, p) => a + p.plan.maxVUs, 0);
    const client = new LlmClient({ connections: Math.max(1, maxVUs), connectTimeoutMs: options.llm.connectTimeoutMs, readTimeoutMs: options.llm.readTimeoutMs });
    cleanup.push(() => client.close());
    const services = makeServices(options, client);
    services.inheritFrom(holder.services!);
    if (options.llm.tokenizer) {
      const tok = await services.tokenizer(options.llm.tokenizer);
      (services as unknown as { d: { tokenizer: unknown } }).d.tokenizer = tok;
    }
    holder.services = services;

    // ---- setup()
    let ranSetup = false;
    if (req.setupDataFile && (!req.setupOnce || !isFirstSegment(segment))) {
      setupDataRef.json = await readSetupData(req.setupDataFile, req.setupOnce ? options.setupTimeoutMs : 0, req.signal);
    } else if (exp.functions.includes('setup')) {
      ranSetup = true;
      const r = await probe.call('setup', undefined, options.setupTimeoutMs || undefined).catch((e: Error) => ({ ok: false as const, error: { message: e.message, stack: String(e.stack), name: e.name, kind: 'exception' as const } }));
      if (!r.ok) {
        if (r.error.kind === 'abort') throw new ScriptAbort(`setup() aborted the test: ${r.error.message}`);
        const pos = mapper.firstPosition(r.error.stack);
        throw new ScriptError(`${pos ? pos + ': ' : ''}setup() failed: ${r.error.message}`, 'SETUP_FAILED');
      }
      setupDataRef.json = r.result;
      if (req.setupOnce && req.setupDataFile) writeSetupData(req.setupDataFile, r.result);
    }

    // ---- VUs
    for (const { scenario, plan } of plans) {
      scenarios.push({
        config: scenario,
        plan,
        progress: 0,
        active: 0,
        iterations: 0,
        vus: [],
        stopNew: new AbortController(),
        hardStop: new AbortController(),
      });
    }
    for (const s of scenarios) s.vus = await vus.createMany(s.plan.preAllocatedVUs, s.config.env);
    cleanup.push(() => vus.dispose());
    emitter.sample('vus_max', vus.initialised, {}, Date.now());

    await req.onStart?.({ bundle, options, scriptOptions, plans, targetUrl, embeddedMock: embedded, registry });

    // ---- run
    const errors = new ScriptErrorLog(mapper, (l) => log(`ERROR ${l}`));
    runStart.t = performance.now();
    const startedAt = new Date();
    if (req.signal) req.signal.addEventListener('abort', () => requestStop('interrupted'), { once: true });
    if (req.hardSignal) req.hardSignal.addEventListener('abort', () => {
      requestStop('interrupted');
      for (const s of scenarios) s.hardStop.abort();
      hardStopAll.abort();
    }, { once: true });
    if (req.signal?.aborted) requestStop('interrupted');

    const cpuTimeoutMs = options.iterationTimeoutMs || 30_000;
    const stuckSlots = new Set<number>();
    const reportedSlots = new Set<number>();
    const watch = new Map<number, { cpu: number; busySince: number | null }>();
    let lastWatch = performance.now();
    const watchdog = setInterval(() => {
      const t = performance.now();
      const wall = t - lastWatch;
      lastWatch = t;
      for (const slot of pool.live()) {
        const cpu = slot.cpuMs();
        const w = watch.get(slot.id) ?? { cpu, busySince: null };
        const busy = cpu - w.cpu > wall * 0.8;
        w.busySince = busy ? (w.busySince ?? t - wall) : null;
        w.cpu = cpu;
        watch.set(slot.id, w);
        if (w.busySince !== null && t - w.busySince > cpuTimeoutMs) {
          stuckSlots.add(slot.id);
          slot.dispose();
        }
      }
    }, 500);
    const thresholdTimer = setInterval(() => {
      const hit = evaluator.abortRequested(now());
      if (hit) requestStop('threshold-abort', `threshold ${hit.metric}: ${hit.source} crossed (abortOnFail)`);
    }, 2000);
    const tickTimer = req.onTick
      ? setInterval(() => {
          req.onTick!({
            elapsedMs: now(),
            inflight: services.inflight,
            scenarios: scenarios.map((s) => ({ name: s.config.name, progress: s.progress, activeVUs: s.active, iterations: s.iterations, plan: s.plan })),
          });
        }, 1000)
      : undefined;
    let activeTotal = 0;
    const vusGauge = (d: number) => {
      activeTotal += d;
      emitter.sample('vus', activeTotal, {}, Date.now());
    };

    const runOne = async (s: ScenarioState): Promise<void> => {
      const c = s.config;
      const tags = { ...options.tags, ...c.tags, scenario: c.name };
      let iterInTest = 0;
      const perVu = new Map<number, number>();
      const ctx: ExecutorContext = {
        config: c,
        now,
        sleepUntil: (t) => sleepUntil(now, t, s.hardStop.signal),
        stopNew: s.stopNew.signal,
        hardStop: s.hardStop.signal,
        vus: s.vus as unknown as VuHandle[],
        allocateVU: async () => {
          if (s.stopNew.signal.aborted) return null;
          const vu = await vus.create(false, c.env);
          s.vus.push(vu);
          emitter.sample('vus_max', vus.initialised, {}, Date.now());
          return vu as unknown as VuHandle;
        },
        iterate: async (h, r) => {
          const vu = h as unknown as VU;
          if (s.hardStop.signal.aborted) return;
          if (vu.isolateDisposed) {
            try {
              await vu.revive(setupDataRef.json);
            } catch (e) {
              log(`ERROR could not restart VU ${vu.id}: ${(e as Error).message}`);
              return;
            }
          }
          const iter = vu.state.iter;
          vu.state.scenario = c.name;
          vu.state.scenarioTags = tags;
          vu.state.plannedStart = r.plannedStart;
          const interrupt = r.signal ? AbortSignal.any([r.signal, s.hardStop.signal]) : s.hardStop.signal;
          vu.state.signal = interrupt;
          const t0 = now();
          if (r.plannedStart !== null) emitter.sample('llm_schedule_lag', Math.max(0, t0 - r.plannedStart), tags, Date.now());
          let outcome;
          try {
            outcome = await vu.iterate(
              { exec: c.exec, iter, scenario: c.name, executor: c.executor, iterInScenario: bump(perVu, vu.id), iterInTest: iterInTest++, scenarioStartTime: c.startTimeMs, scenarioTags: tags, ...(r.replay ? { replay: r.replay } : {}) },
              cpuTimeoutMs,
            );
          } catch (e) {
            if (vu.isolateDisposed) {
              const slot = vu.isolateSlot;
              if (!reportedSlots.has(slot.id)) {
                reportedSlots.add(slot.id);
                const cpu = stuckSlots.has(slot.id);
                errors.addIsolateDeath(
                  cpu ? 'cpu' : 'memory',
                  cpu
                    ? `ERROR an iteration ran on the CPU for more than ${cpuTimeoutMs / 1000}s without yielding (scenario ${c.name}, VU ${vu.id}): stopped it (set options.iterationTimeout to change the limit)`
                    : `ERROR a VU exceeded the isolate memory limit of ${req.isolateMemoryMb ?? 256} MB (scenario ${c.name}, VU ${vu.id}): ${(e as Error).message} (raise --isolate-memory if the script needs more)`,
                  slot.contexts,
                );
              }
              vu.state.iter = iter + 1;
              return;
            }
            outcome = { ok: false as const, error: { message: (e as Error).message, stack: String((e as Error).stack), name: 'Error', kind: 'exception' as const } };
          }
          vu.state.iter = iter + 1;
          const dur = now() - t0;
          if (interrupt.aborted) {
            interruptedIterations++;
            return;
          }
          if (!outcome.ok) {
            if (outcome.error.kind === 'abort') {
              requestStop('script-abort', outcome.error.message);
            } else errors.add(outcome.error, `scenario ${c.name}, vu ${vu.id}, iteration ${iter}`);
          }
          iterationsDone++;
          s.iterations++;
          emitter.sample('iterations', 1, tags, Date.now());
          emitter.sample('iteration_duration', dur, tags, Date.now());
        },
        dropped: (n) => {
          droppedIterations += n;
          emitter.sample('dropped_iterations', n, tags, Date.now());
        },
        activeVUs: (d) => {
          s.active += d;
          vusGauge(d);
        },
        setProgress: (p) => {
          s.progress = p;
        },
      };
      if (c.startTimeMs > 0 && !(await sleepUntil(now, c.startTimeMs, s.stopNew.signal))) return;
      if (s.stopNew.signal.aborted) return;
      const endAt = c.startTimeMs + s.plan.durationMs;
      const stopTimer = setTimeout(() => s.stopNew.abort(), Math.max(0, endAt - now()));
      const onStopNew = () => {
        const t = setTimeout(() => s.hardStop.abort(), c.gracefulStopMs);
        s.hardStop.signal.addEventListener('abort', () => clearTimeout(t), { once: true });
        done.finally(() => clearTimeout(t));
      };
      s.stopNew.signal.addEventListener('abort', onStopNew, { once: true });
      const done = runScenario(c, ctx);
      try {
        await done;
      } finally {
        clearTimeout(stopTimer);
      }
    };
    try {
      await Promise.all(scenarios.map(runOne));
    } finally {
      clearInterval(thresholdTimer);
      clearInterval(watchdog);
      if (tickTimer) clearInterval(tickTimer);
    }
    const durationMs = now();

    // ---- teardown()
    if (exp.functions.includes('teardown') && !hardStopAll.signal.aborted && (ranSetup || !req.setupOnce)) {
      const r = await probe.call('teardown', setupDataRef.json, options.teardownTimeoutMs || undefined).catch((e: Error) => ({ ok: false as const, error: { message: e.message, stack: String(e.stack), name: e.name, kind: 'exception' as const } }));
      if (!r.ok) {
        const pos = mapper.firstPosition(r.error.stack);
        log(`ERROR teardown() failed${pos ? ` at ${pos}` : ''}: ${r.error.message}`);
      }
    }

    evaluator.evaluate(durationMs);
    // checks per name, from the services' tallies
    collectChecks(registry, checks);

    let exitCode: ExitCodeValue = ExitCode.OK;
    if (evaluator.anyFailed()) exitCode = ExitCode.THRESHOLDS_FAILED;
    if (stop.reason === 'script-abort') exitCode = ExitCode.SCRIPT_ABORTED;
    if (stop.reason === 'interrupted') exitCode = ExitCode.INTERRUPTED;
    if (stop.reason === 'threshold-abort') exitCode = ExitCode.THRESHOLDS_FAILED;

    const hasHandleSummary = exp.functions.includes('handleSummary');
    return {
      exitCode,
      stopReason: stop.reason,
      ...(abortMessage ? { abortMessage } : {}),
      registry,
      evaluator,
      options,
      scriptOptions,
      plans,
      durationMs,
      startedAt,
      targetUrl: targetUrl!,
      embeddedMock: embedded,
      peakInflight: services.peakInflight,
      errorCounts: Object.fromEntries(services.errorCounts),
      errorSamples: Object.fromEntries(services.errorSamples),
      scriptErrors: errors.entries(),
      checks,
      setupData: setupDataRef.json,
      ...(hasHandleSummary
        ? {
            handleSummary: async (json: string) => {
              const r = await probe.call('handleSummary', json, 60_000);
              if (!r.ok) {
                const pos = mapper.firstPosition(r.error.stack);
                throw new ScriptError(`${pos ? pos + ': ' : ''}handleSummary() failed: ${r.error.message}`, 'HANDLE_SUMMARY_FAILED');
              }
              return r.result ? (JSON.parse(r.result) as Record<string, string>) : undefined;
            },
          }
        : {}),
      close: closeAll,
      bundle,
      vusMax: vus.initialised,
      iterations: iterationsDone,
      droppedIterations,
      interruptedIterations,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

function bump(m: Map<number, number>, k: number): number {
  const v = m.get(k) ?? 0;
  m.set(k, v + 1);
  return v;
}

/** Per-check pass/fail counts, from `checks` sub-metrics created on demand by the services. */
function collectChecks(registry: Registry, out: Map<string, { passes: number; fails: number }>): void {
  const m = registry.get('checks');
  if (!m) return;
  for (const sm of m.submetrics) {
    const f = sm.filter.find(([k]) => k === 'check');
    if (!f || sm.filter.length !== 1) continue;
    const count = sm.sink.count;
    const passes = sm.sink.value({ name: 'count' }, 0);
    out.set(f[1], { passes, fails: count - passes });
  }
}

/**
 * Sleeps until `t` ms since run start, precisely: a timer for the bulk, then setImmediate turns for
 * the last ~1.5 ms (timers fire up to a millisecond late). Resolves false when `signal` aborts.
 */
export function sleepUntil(now: () => number, t: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  const remaining = t - now();
  if (remaining <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const spin = () => {
      if (signal.aborted) return;
      if (now() >= t) {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      } else setImmediate(spin);
    };
    const rem = t - now();
    if (rem > 2) timer = setTimeout(spin, rem - 1.5);
    else setImmediate(spin);
  });
}
