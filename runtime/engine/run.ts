/**
 * One test run, start to end: bundle -> probe VU (options) -> thresholds -> target (embedded mock
 * when no URL) -> setup() -> VUs -> scenarios (executors) -> teardown() -> summary.
 * The CLI and the programmatic API both call runTest().
 */
import { setMaxListeners } from 'node:events';
import { bundleScript, type Bundle } from '../bundle/bundle.ts';
import { PositionMapper } from '../bundle/sourcemap.ts';
import { LlmperfError, ScriptAbort, ScriptError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseSegment, isFirstSegment } from '../executors/segment.ts';
import { readSetupData, writeSetupData } from './setup-data.ts';
import { applySegment, parseScenario, planScenario, prepareScenarios, type ExecutionPlan, type ScenarioConfig } from '../executors/index.ts';
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
import { Emitter, type SampleListener } from './emitter.ts';
import { ScriptErrorLog } from './script-errors.ts';
import { newScenarioState, runScenarioState, type RunCounters, type ScenarioDeps, type ScenarioState } from './scenario.ts';
import { CpuWatchdog } from './watchdog.ts';
import { LagMonitor } from './lag-monitor.ts';
import { initLlm, Services } from './services.ts';
import { VuFactory } from './vus.ts';
import { checkExecFunctions } from './probe.ts';

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
  /** VUs sharing one context (default 1). More saves memory at the cost of shared globals. */
  vusPerContext?: number;
  /** run VU code on isolated-vm's threads instead of inline on the main thread (runtime/vu/isolates.ts) */
  isolateThreads?: boolean;
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
  /** attaches a listener (store, outputs) from here on; no sample is emitted before onStart */
  attach(l: SampleListener): void;
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
  setMaxListeners(0, hardStopAll.signal);
  let abortMessage: string | undefined;
  const stop: { reason: RunResult['stopReason'] } = { reason: 'completed' };
  const scenarios: ScenarioState[] = [];
  const checks = new Map<string, { passes: number; fails: number }>();
  const counters: RunCounters = { failedRestarts: 0, iterationsDone: 0, interruptedIterations: 0, droppedIterations: 0, activeVUs: 0 };

  const pool = new IsolatePool(bundle, { memoryLimitMb: req.isolateMemoryMb ?? 256, vusPerIsolate: req.vusPerIsolate ?? 32, vusPerContext: req.vusPerContext ?? 1, threads: req.isolateThreads === true });
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
      llm: options?.llm ?? initLlm(req.overrides?.tokenizer ?? env.LLMPERF_TOKENIZER),
      apis,
      baseDir: bundle.baseDir,
      runTags: options?.tags ?? {},
      slo: options?.slo,
      storeBodies: req.storeBodies ?? true,
      tokenizer: undefined,
      now,
      runStart: () => runStart.t,
      monoOffset,
      hardStop: hardStopAll.signal,
      log: (level: LogLevel, vu: number, msg: string) => log(`${level === 'log' ? 'INFO' : level.toUpperCase()}[vu ${vu}] ${msg}`),
      abort: (msg: string) => requestStop('script-abort', msg),
      execInfo: (vu, what): Record<string, number> => {
        if (what === 'progress') return { progress: scenarios.find((s) => s.config.name === vu.scenario)?.progress ?? 0 };
        return {
          vusActive: scenarios.reduce((a, s) => a + s.active, 0),
          vusInitialized: vus.initialised,
          iterationsCompleted: counters.iterationsDone,
          iterationsInterrupted: counters.interruptedIterations,
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
    checkExecFunctions(options.scenarios, exp.functions);
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
    warnIsolateSizing(maxVUs, req, log);
    const client = new LlmClient({ connections: Math.max(1, maxVUs), connectTimeoutMs: options.llm.connectTimeoutMs, readTimeoutMs: options.llm.readTimeoutMs });
    cleanup.push(() => client.close());
    const services = makeServices(options, client);
    services.inheritFrom(holder.services!);
    if (options.llm.tokenizer) {
      const tok = await services.tokenizer(options.llm.tokenizer);
      services.useTokenizer(tok);
    }
    holder.services = services;

    // Every listener is in place before the first sample (setup() may already send requests).
    await req.onStart?.({ bundle, options, scriptOptions, plans, targetUrl: targetUrl!, embeddedMock: embedded, registry, attach: (l) => emitter.attach(l) });

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
    for (const { scenario, plan } of plans) scenarios.push(newScenarioState(scenario, plan));
    for (const s of scenarios) s.vus = await vus.createMany(s.plan.preAllocatedVUs, s.config.env);
    cleanup.push(() => vus.dispose());
    emitter.sample('vus_max', vus.initialised, {}, Date.now());


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

    const watchdog = new CpuWatchdog(pool, options.iterationTimeoutMs || 30_000);
    watchdog.start();
    const lagMonitor = new LagMonitor(log);
    // inline VU code that runs long between two awaits holds up the thread that times the responses
    const slow = { turns: 0, maxMs: 0 };
    pool.onSlowTurn = (ms) => {
      if (slow.turns++ === 0) {
        log(`WARN VU code ran ${ms.toFixed(0)} ms without yielding on the main thread, which also timestamps the responses: latencies measured meanwhile include that delay. Move heavy work to init code or setup(), or run with --isolate-threads`);
      }
      slow.maxMs = Math.max(slow.maxMs, ms);
    };
    const thresholdTimer = setInterval(() => {
      lagMonitor.check(now());
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

    const deps: ScenarioDeps = {
      now,
      emitter,
      vus,
      runTags: options.tags,
      setupData: () => setupDataRef.json,
      log,
      errors,
      watchdog,
      isolateMemoryMb: req.isolateMemoryMb ?? 256,
      counters,
      lagMonitor,
      requestStop,
    };
    try {
      await Promise.all(scenarios.map((sc) => runScenarioState(sc, deps)));
    } finally {
      clearInterval(thresholdTimer);
      watchdog.stop();
      if (tickTimer) clearInterval(tickTimer);
    }
    const durationMs = now();
    if (counters.failedRestarts > 1) log(`ERROR ${counters.failedRestarts} VU restarts failed in all (see the first error above)`);
    lagMonitor.check(durationMs);
    const behind = lagMonitor.final();
    if (behind) log(behind);
    pool.onSlowTurn = undefined;
    if (slow.turns > 1) log(`WARN VU code held the main thread for more than ${pool.slowTurnMs} ms in ${slow.turns} turns (longest ${slow.maxMs.toFixed(0)} ms): see --isolate-threads`);

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
      iterations: counters.iterationsDone,
      droppedIterations: counters.droppedIterations,
      interruptedIterations: counters.interruptedIterations,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
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
 * VU contexts cost memory inside their isolate (~250 KiB for a context of its own, ~100 KiB per VU
 * sharing one): say so before the run when the isolate heap limit looks too small for what it holds.
 */
function warnIsolateSizing(maxVUs: number, req: RunRequest, log: (l: string) => void): void {
  const perIsolate = Math.min(maxVUs, Math.max(req.vusPerIsolate ?? 32, req.vusPerContext ?? 1));
  const perContext = Math.max(1, req.vusPerContext ?? 1);
  const needMb = (perIsolate / perContext) * 0.25 + perIsolate * (perContext > 1 ? 0.1 : 0);
  const limit = req.isolateMemoryMb ?? 256;
  if (needMb > limit * 0.6) {
    log(`WARN --isolate-memory ${limit} MB is tight for ${perIsolate} VUs per isolate (their contexts alone need ~${Math.ceil(needMb)} MB): raise it to ${Math.ceil((needMb / 0.6) / 16) * 16} or lower --vus-per-isolate`);
  }
}
