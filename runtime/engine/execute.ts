/**
 * Phase 3 of every run, `execute`: binds the services to the target (one LLM client for the run),
 * lets the listeners attach (onStart: run directory, outputs, progress), runs setup(), creates the
 * scenarios' VUs, runs the scenarios (executors) with the watchdog, the lag monitor and periodic
 * abortOnFail checks, then teardown(), evaluates the thresholds and gathers the result. Phase 4,
 * finishing (summary, store, report, handleSummary), is runtime/engine/finish.ts.
 */
import { ConfigError, ScriptAbort, ScriptError } from '../errors.ts';
import { ClientHealth } from './client-health.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { defaultIoThreads, LlmClient } from '../llm/client.ts';
import { boundsFromOptions } from '../metrics/request-slo.ts';
import type { LoadedScript } from './load.ts';
import type { PreparedRun } from './prepare.ts';
import type { RunRequest, RunResult } from './run.ts';
import { LagMonitor } from './lag-monitor.ts';
import { LifecycleTimeout, runLifecycle, timedOut } from './lifecycle.ts';
import { ScriptErrorLog } from './script-errors.ts';
import { newScenarioState, runScenarioState, type ScenarioDeps } from './scenario.ts';
import { readSetupData, writeSetupData } from './setup-data.ts';
import { CpuWatchdog } from './watchdog.ts';

export type ExecuteRequest = Pick<
  RunRequest,
  'signal' | 'hardSignal' | 'listeners' | 'onStart' | 'onTick' | 'setupOnce' | 'setupDataFile' | 'isolateMemoryMb' | 'vusPerIsolate' | 'vusPerContext' | 'ioThreads'
>;

export async function execute(loaded: LoadedScript, prepared: PreparedRun, req: ExecuteRequest): Promise<RunResult> {
  const { services, emitter, vus, probe, mapper, control, clock, log, registry } = loaded;
  const { options, plans, evaluator } = prepared;
  const target = prepared.target!;
  const now = clock.now;
  for (const l of req.listeners ?? []) emitter.attach(l);

  const maxVUs = plans.reduce((a, p) => a + p.plan.maxVUs, 0);
  warnIsolateSizing(maxVUs, req, log);
  const ioThreads = req.ioThreads ?? defaultIoThreads();
  if (!Number.isInteger(ioThreads) || ioThreads < 0 || ioThreads > 64) throw new ConfigError(`--io-threads ${ioThreads}: give a whole number from 0 (send from the main thread) to 64`);
  const client = await LlmClient.open({
    connections: Math.max(1, maxVUs),
    connectTimeoutMs: options.llm.connectTimeoutMs,
    readTimeoutMs: options.llm.readTimeoutMs,
    ioThreads,
    pluginFile: target.apis.pluginFile,
    insecureSkipTLSVerify: options.insecureSkipTLSVerify,
  });
  const health = new ClientHealth({ ioThreads, log, now }, () => services.inflight);
  client.onIoHealth = (h) => health.ioSecond(h);
  try {
    services.bindTarget({
      llm: options.llm,
      url: target.url,
      client,
      apis: target.apis,
      runTags: options.tags,
      bounds: boundsFromOptions(options.slo),
      tokenizer: options.llm.tokenizer ? await services.tokenizer(options.llm.tokenizer) : undefined,
    });

    // Every listener is in place before the first sample (setup() may already send requests).
    await req.onStart?.({ bundle: loaded.bundle, options, scriptOptions: loaded.scriptOptions, plans, targetUrl: target.url, embeddedMock: target.embedded, registry, attach: (l) => emitter.attach(l) });

    // Signals count from here: a stop during setup() or while VUs are created ends the run there
    // (with its summary), instead of waiting for every VU to initialise.
    req.signal?.addEventListener('abort', () => control.requestStop('interrupted'), { once: true });
    req.hardSignal?.addEventListener('abort', () => control.hardStop(), { once: true });
    if (req.signal?.aborted) control.requestStop('interrupted');
    if (req.hardSignal?.aborted) control.hardStop();

    // ---- setup()
    let ranSetup = false;
    if (req.setupDataFile && (!req.setupOnce || !prepared.firstSegment)) {
      loaded.setupData.json = await readSetupData(req.setupDataFile, req.setupOnce ? options.setupTimeoutMs : 0, req.signal);
    } else if (loaded.functions.includes('setup')) {
      ranSetup = true;
      const r = await runLifecycle(probe, 'setup', undefined, options.setupTimeoutMs);
      if (!r.ok) {
        if (r.error.kind === 'abort') throw new ScriptAbort(`setup() aborted the test: ${r.error.message}`);
        const pos = mapper.firstPosition(r.error.stack);
        throw new ScriptError(`${pos ? pos + ': ' : ''}setup() failed: ${r.error.message}`, 'SETUP_FAILED');
      }
      loaded.setupData.json = r.result;
      if (req.setupOnce && req.setupDataFile) writeSetupData(req.setupDataFile, r.result);
    }

    // ---- VUs
    for (const { scenario, plan } of plans) control.scenarios.push(newScenarioState(scenario, plan));
    if (control.reason !== 'completed') for (const s of control.scenarios) s.stopNew.abort();
    if (control.hardStopAll.signal.aborted) for (const s of control.scenarios) s.hardStop.abort();
    const stopping = () => control.reason !== 'completed';
    for (const s of control.scenarios) s.vus = await vus.createMany(s.plan.preAllocatedVUs, s.config.env, stopping);
    emitter.sample('vus_max', vus.initialised, {}, Date.now());

    // ---- run
    const errors = new ScriptErrorLog(mapper, (l) => log(`ERROR ${l}`));
    clock.start();
    const startedAt = new Date();

    const watchdog = new CpuWatchdog(loaded.pool, options.iterationTimeoutMs || 30_000);
    watchdog.start();
    health.watchMainThread();
    const lagMonitor = new LagMonitor(log);
    // inline VU code that runs long between two awaits holds up the main thread: with --io-threads 0
    // it also times the responses; with I/O threads, other VUs and llmperf's own work wait for it
    const slow = { turns: 0, maxMs: 0 };
    loaded.pool.onSlowTurn = (ms) => {
      if (slow.turns++ === 0) {
        const effect = ioThreads === 0 ? 'which also timestamps the responses: latencies measured meanwhile include that delay' : "where other VUs' iterations wait for it (the I/O threads kept timing the responses)";
        log(`WARN VU code ran ${ms.toFixed(0)} ms without yielding on the main thread, ${effect}. Move heavy work to init code or setup(), or run with --isolate-threads`);
      }
      slow.maxMs = Math.max(slow.maxMs, ms);
    };
    const thresholdTimer = setInterval(() => {
      lagMonitor.check(now());
      const hit = evaluator.abortRequested(now());
      if (hit) control.requestStop('threshold-abort', `threshold ${hit.metric}: ${hit.source} crossed (abortOnFail)`);
    }, 2000);
    const tickTimer = req.onTick
      ? setInterval(() => {
          req.onTick!({
            elapsedMs: now(),
            inflight: services.inflight,
            scenarios: control.scenarios.map((s) => ({ name: s.config.name, progress: s.progress, activeVUs: s.active, iterations: s.iterations, plan: s.plan })),
          });
        }, 1000)
      : undefined;

    const deps: ScenarioDeps = {
      now,
      emitter,
      vus,
      runTags: options.tags,
      setupData: () => loaded.setupData.json,
      log,
      errors,
      watchdog,
      isolateMemoryMb: req.isolateMemoryMb ?? 256,
      counters: control.counters,
      lagMonitor,
      requestStop: (reason, msg) => {
        if (reason !== 'completed') control.requestStop(reason, msg);
      },
    };
    try {
      await Promise.all(control.scenarios.map((sc) => runScenarioState(sc, deps)));
    } finally {
      clearInterval(thresholdTimer);
      watchdog.stop();
      if (tickTimer) clearInterval(tickTimer);
    }
    const durationMs = now();
    if (control.counters.failedRestarts > 1) log(`ERROR ${control.counters.failedRestarts} VU restarts failed in all (see the first error above)`);
    lagMonitor.check(durationMs);
    const behind = lagMonitor.final();
    if (behind) log(behind);
    client.onIoHealth = undefined;
    const clientHealth = health.finish(lagMonitor);
    for (const l of clientHealth.lines) log(l);
    for (const l of services.responses.finish(clientHealth.summary.timestamps.late)) log(l);
    loaded.pool.onSlowTurn = undefined;
    if (slow.turns > 1) log(`WARN VU code held the main thread for more than ${loaded.pool.slowTurnMs} ms in ${slow.turns} turns (longest ${slow.maxMs.toFixed(0)} ms): see --isolate-threads`);

    // ---- teardown()
    let teardownTimeout: LifecycleTimeout | undefined;
    if (loaded.functions.includes('teardown') && !control.hardStopAll.signal.aborted && (ranSetup || !req.setupOnce)) {
      const r = await loaded
        .lifecycleVu()
        .then(
          (vu) => runLifecycle(vu, 'teardown', loaded.setupData.json, options.teardownTimeoutMs),
          // no VU to run it in (a fresh isolate could not be made): teardown() failed
          (e: unknown) => ({ ok: false as const, error: { message: (e as Error)?.message ?? String(e), stack: String((e as Error)?.stack), name: 'Error', kind: 'exception' as const } }),
        )
        .catch((e: unknown) => timedOut(e, (t) => (teardownTimeout = t)));
      if (!r.ok) {
        const pos = mapper.firstPosition(r.error.stack);
        log(`ERROR teardown() failed${pos ? ` at ${pos}` : ''}: ${r.error.message}`);
      }
    }

    evaluator.evaluate(durationMs);
    let exitCode: ExitCodeValue = ExitCode.OK;
    if (evaluator.anyFailed()) exitCode = ExitCode.THRESHOLDS_FAILED;
    if (control.reason === 'script-abort') exitCode = ExitCode.SCRIPT_ABORTED;
    if (control.reason === 'interrupted') exitCode = ExitCode.INTERRUPTED;
    if (control.reason === 'threshold-abort') exitCode = ExitCode.THRESHOLDS_FAILED;
    if (teardownTimeout && (exitCode === ExitCode.OK || exitCode === ExitCode.THRESHOLDS_FAILED)) exitCode = teardownTimeout.exitCode;

    return {
      exitCode,
      stopReason: control.reason,
      ...(control.message ? { abortMessage: control.message } : {}),
      registry,
      evaluator,
      options,
      scriptOptions: loaded.scriptOptions,
      plans,
      durationMs,
      startedAt,
      targetUrl: target.url,
      embeddedMock: target.embedded,
      peakInflight: services.peakInflight,
      errorCounts: Object.fromEntries(services.errorCounts),
      errorSamples: Object.fromEntries(services.errorSamples),
      scriptErrors: errors.entries(),
      checks: collectChecks(loaded),
      setupData: loaded.setupData.json,
      ...(loaded.functions.includes('handleSummary') ? { handleSummary: (json: string) => handleSummary(loaded, json) } : {}),
      close: async () => {
        await client.close().catch(() => undefined);
      },
      bundle: loaded.bundle,
      vusMax: vus.initialised,
      client: clientHealth.summary,
      responses: services.responses.facts,
      iterations: control.counters.iterationsDone,
      droppedIterations: control.counters.droppedIterations,
      interruptedIterations: control.counters.interruptedIterations,
    };
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
}

async function handleSummary(loaded: LoadedScript, json: string): Promise<Record<string, string> | undefined> {
  const r = await (await loaded.lifecycleVu()).call('handleSummary', json, 60_000);
  if (!r.ok) {
    const pos = loaded.mapper.firstPosition(r.error.stack);
    throw new ScriptError(`${pos ? pos + ': ' : ''}handleSummary() failed: ${r.error.message}`, 'HANDLE_SUMMARY_FAILED');
  }
  return r.result ? (JSON.parse(r.result) as Record<string, string>) : undefined;
}

/** Per-check pass/fail counts, from the `checks` sub-metrics the services create per check name. */
function collectChecks(loaded: LoadedScript): Map<string, { passes: number; fails: number }> {
  const out = new Map<string, { passes: number; fails: number }>();
  const m = loaded.registry.get('checks');
  if (!m) return out;
  for (const sm of m.submetrics) {
    const f = sm.filter.find(([k]) => k === 'check');
    if (!f || sm.filter.length !== 1) continue;
    const count = sm.sink.count;
    const passes = sm.sink.value({ name: 'count' }, 0);
    out.set(f[1], { passes, fails: count - passes });
  }
  return out;
}

/**
 * VU contexts cost memory inside their isolate (~250 KiB for a context of its own, ~100 KiB per VU
 * sharing one): say so before the run when the isolate heap limit looks too small for what it holds.
 */
function warnIsolateSizing(maxVUs: number, req: ExecuteRequest, log: (l: string) => void): void {
  const perIsolate = Math.min(maxVUs, Math.max(req.vusPerIsolate ?? 32, req.vusPerContext ?? 1));
  const perContext = Math.max(1, req.vusPerContext ?? 1);
  const needMb = (perIsolate / perContext) * 0.25 + perIsolate * (perContext > 1 ? 0.1 : 0);
  const limit = req.isolateMemoryMb ?? 256;
  if (needMb > limit * 0.6) {
    log(`WARN --isolate-memory ${limit} MB is tight for ${perIsolate} VUs per isolate (their contexts alone need ~${Math.ceil(needMb)} MB): raise it to ${Math.ceil((needMb / 0.6) / 16) * 16} or lower --vus-per-isolate`);
  }
}
