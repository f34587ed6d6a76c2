/**
 * Runs one scenario: builds the ExecutorContext its executor drives (iterations on VUs, VU
 * allocation, drops, progress), schedules its end (duration, then gracefulStop, then hard stop),
 * and turns iteration outcomes into metrics, script-error reports and VU restarts.
 */
import { setMaxListeners } from 'node:events';
import type { ExecutionPlan, ExecutorContext, ScenarioConfig } from '../executors/index.ts';
import { runScenario } from '../executors/index.ts';
import type { VuHandle } from '../executors/types.ts';
import type { IterationOutcome } from '../vu/protocol.ts';
import type { VU } from '../vu/vu.ts';
import { onAbort } from '../abort-hooks.ts';
import { sleepUntil } from './clock.ts';
import type { Emitter } from './emitter.ts';
import type { ScriptErrorLog } from './script-errors.ts';
import type { VuFactory } from './vus.ts';
import type { CpuWatchdog } from './watchdog.ts';
import type { LagMonitor } from './lag-monitor.ts';

export interface ScenarioState {
  config: ScenarioConfig;
  plan: ExecutionPlan;
  progress: number;
  active: number;
  iterations: number;
  vus: VU[];
  stopNew: AbortController;
  hardStop: AbortController;
}

export interface RunCounters {
  /** VU rebuilds that failed (their new isolate died too) */
  failedRestarts: number;
  /** VUs that failed to start mid-run (arrival-rate executors growing towards maxVUs) */
  failedAllocations: number;
  iterationsDone: number;
  interruptedIterations: number;
  droppedIterations: number;
  activeVUs: number;
}

export type StopReason = 'completed' | 'interrupted' | 'threshold-abort' | 'script-abort';

export interface ScenarioDeps {
  now(): number;
  emitter: Emitter;
  vus: VuFactory;
  runTags: Record<string, string>;
  setupData(): string | undefined;
  log(line: string): void;
  errors: ScriptErrorLog;
  watchdog: CpuWatchdog;
  isolateMemoryMb: number;
  counters: RunCounters;
  lagMonitor: LagMonitor;
  requestStop(reason: StopReason, msg?: string): void;
}

/** How long an iteration may take to end by itself once interrupted (its llm calls and sleeps end at once) before it is abandoned. */
export const ABANDON_AFTER_MS = 500;
const ABANDONED = Symbol('abandoned');

/**
 * The iteration's outcome, or ABANDONED when `interrupt` aborts and the iteration has not ended
 * ABANDON_AFTER_MS later: a run never waits for an iteration that cannot end (a never-settling
 * promise, a loop that ignores the stop).
 */
function untilInterrupted<T>(p: Promise<T>, interrupt: AbortSignal): Promise<T | typeof ABANDONED> {
  return new Promise<T | typeof ABANDONED>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let cancel: (() => void) | undefined;
    const startTimer = (): void => {
      timer = setTimeout(() => resolve(ABANDONED), ABANDON_AFTER_MS);
    };
    if (interrupt.aborted) startTimer();
    else cancel = onAbort(interrupt, startTimer);
    const settled = (): void => {
      if (timer) clearTimeout(timer);
      cancel?.();
    };
    p.then(
      (v) => {
        settled();
        resolve(v);
      },
      (e: unknown) => {
        settled();
        reject(e);
      },
    );
  });
}

export function newScenarioState(config: ScenarioConfig, plan: ExecutionPlan): ScenarioState {
  const stopNew = new AbortController();
  const hardStop = new AbortController();
  // every in-flight request and sleeping VU listens on these: no listener cap
  setMaxListeners(0, stopNew.signal, hardStop.signal);
  return { config, plan, progress: 0, active: 0, iterations: 0, vus: [], stopNew, hardStop };
}

/** Open-loop executors end by themselves at their duration; the engine's stop comes a little later
 * so that it never races an arrival planned just before the end. */
const SELF_ENDING = new Set(['constant-arrival-rate', 'ramping-arrival-rate', 'replay']);

function bump(m: Map<number, number>, k: number): number {
  const v = m.get(k) ?? 0;
  m.set(k, v + 1);
  return v;
}

export async function runScenarioState(s: ScenarioState, d: ScenarioDeps): Promise<void> {
  const c = s.config;
  const { now, emitter, counters } = d;
  const tags = { ...d.runTags, ...c.tags, scenario: c.name };
  const reportedSlots = new Set<number>();
  let iterInTest = 0;
  const perVu = new Map<number, number>();

  // One combined signal per executor interrupt signal (a ramping VU's, for all its iterations):
  // AbortSignal.any per iteration kept every combined signal reachable from the long-lived hard-stop
  // signal on Node 20, ~9 KB per iteration for the whole run.
  const combined = new WeakMap<AbortSignal, AbortSignal>();
  const combinedStop = (sig: AbortSignal): AbortSignal => {
    let c = combined.get(sig);
    if (!c) combined.set(sig, (c = AbortSignal.any([sig, s.hardStop.signal])));
    return c;
  };

  const iterate = async (vu: VU, r: Parameters<ExecutorContext['iterate']>[1]): Promise<void> => {
    if (s.hardStop.signal.aborted) return;
    if (vu.needsRebuild) {
      try {
        await vu.revive(d.setupData());
      } catch (e) {
        // report the first failure, count the rest; back off so a VU that cannot come back
        // (its new isolate ran out of memory too) does not spin
        if (d.counters.failedRestarts++ === 0) {
          d.log(`ERROR could not restart VU ${vu.id} after its isolate died: ${(e as Error).message} (raise --isolate-memory or lower --vus-per-isolate; further failures are counted)`);
        }
        await sleepUntil(now, now() + 1000, s.stopNew.signal);
        return;
      }
    }
    const iter = vu.state.iter;
    vu.state.scenario = c.name;
    vu.state.scenarioTags = tags;
    vu.state.plannedStart = r.plannedStart;
    const interrupt = r.signal ? combinedStop(r.signal) : s.hardStop.signal;
    vu.state.signal = interrupt;
    const t0 = now();
    if (r.plannedStart !== null) {
      // time spent queued for a free VU (queue: true) is the user's own cap, not client lag
      const lag = Math.max(0, t0 - r.plannedStart - (r.queuedMs ?? 0));
      emitter.sample('llm_schedule_lag', lag, tags, Date.now());
      d.lagMonitor.lag(lag);
      if (r.queuedMs !== undefined) emitter.sample('llm_queue_wait', r.queuedMs, tags, Date.now());
    }
    let outcome: IterationOutcome | typeof ABANDONED;
    try {
      outcome = await untilInterrupted(vu.iterate(
        {
          exec: c.exec,
          iter,
          scenario: c.name,
          executor: c.executor,
          iterInScenario: bump(perVu, vu.id),
          iterInTest: iterInTest++,
          scenarioStartTime: c.startTimeMs,
          scenarioTags: tags,
          ...(r.replay ? { replay: r.replay } : {}),
        },
        d.watchdog.limitMs,
      ), interrupt);
    } catch (e) {
      vu.state.iter = iter + 1;
      if (vu.isolateDisposed) {
        reportIsolateDeath(vu, e as Error);
        // the iteration was killed with its isolate (its own fault or another VU's): interrupted, so
        // that completed + interrupted still counts every iteration started
        counters.interruptedIterations++;
        return;
      }
      outcome = { ok: false, error: { message: (e as Error).message, stack: String((e as Error).stack), name: 'Error', kind: 'exception' } };
    }
    vu.state.iter = iter + 1;
    const dur = now() - t0;
    if (outcome === ABANDONED) {
      // the hard stop came and the iteration did not end within ABANDON_AFTER_MS (it awaits something
      // that never settles, or ignores the stop): give up on it; the VU is rebuilt before reuse
      vu.abandon();
      counters.interruptedIterations++;
      return;
    }
    if (interrupt.aborted) {
      counters.interruptedIterations++;
      return;
    }
    if (!outcome.ok) {
      if (outcome.error.kind === 'abort') d.requestStop('script-abort', outcome.error.message);
      else d.errors.add(outcome.error, `scenario ${c.name}, vu ${vu.id}, iteration ${iter}`);
    }
    counters.iterationsDone++;
    s.iterations++;
    emitter.sample('iterations', 1, tags, Date.now());
    emitter.sample('iteration_duration', dur, tags, Date.now());
  };

  const reportIsolateDeath = (vu: VU, e: Error) => {
    const slot = vu.isolateSlot;
    if (reportedSlots.has(slot.id)) return;
    reportedSlots.add(slot.id);
    const cpu = slot.stuck;
    // the VU whose code was running when the isolate died (else the one that noticed)
    const who = slot.culprit ?? vu.id;
    d.errors.addIsolateDeath(
      cpu ? 'cpu' : 'memory',
      cpu
        ? `an iteration ran on the CPU for more than ${d.watchdog.limitMs / 1000}s without yielding (scenario ${c.name}, VU ${who}): stopped it (set options.iterationTimeout to change the limit)`
        : `a VU exceeded the isolate memory limit of ${d.isolateMemoryMb} MB (scenario ${c.name}, VU ${who}): ${e.message} (raise --isolate-memory if the script needs more)`,
      slot.testVus,
    );
  };

  const ctx: ExecutorContext = {
    config: c,
    now,
    sleepUntil: (t) => sleepUntil(now, t, s.hardStop.signal),
    stopNew: s.stopNew.signal,
    hardStop: s.hardStop.signal,
    vus: s.vus as unknown as VuHandle[],
    allocateVU: async () => {
      if (s.stopNew.signal.aborted) return null;
      try {
        const vu = await d.vus.create(false, c.env);
        s.vus.push(vu);
        emitter.sample('vus_max', d.vus.initialised, {}, Date.now());
        return vu as unknown as VuHandle;
      } catch (e) {
        // a VU that could not start mid-run: its arrivals are dropped (and counted); report the first
        if (!s.stopNew.signal.aborted && counters.failedAllocations++ === 0) {
          d.log(`ERROR could not start another VU in scenario ${c.name}: ${(e as Error).message} (its arrivals are dropped; raise --isolate-memory or lower maxVUs)`);
        }
        return null;
      }
    },
    iterate: (h, r) => iterate(h as unknown as VU, r),
    dropped: (n) => {
      counters.droppedIterations += n;
      d.lagMonitor.drop(n);
      emitter.sample('dropped_iterations', n, tags, Date.now());
    },
    activeVUs: (delta) => {
      s.active += delta;
      counters.activeVUs += delta;
      emitter.sample('vus', counters.activeVUs, {}, Date.now());
    },
    setProgress: (p) => {
      s.progress = p;
    },
  };

  if (c.startTimeMs > 0 && !(await sleepUntil(now, c.startTimeMs, s.stopNew.signal))) return;
  if (s.stopNew.signal.aborted) return;
  const endAt = c.startTimeMs + s.plan.durationMs;
  const stopTimer = setTimeout(() => s.stopNew.abort(), Math.max(0, endAt - now()) + (SELF_ENDING.has(c.executor) ? 250 : 0));
  const done = runScenario(c, ctx);
  s.stopNew.signal.addEventListener(
    'abort',
    () => {
      const t = setTimeout(() => s.hardStop.abort(), c.gracefulStopMs);
      s.hardStop.signal.addEventListener('abort', () => clearTimeout(t), { once: true });
      void done.finally(() => clearTimeout(t));
    },
    { once: true },
  );
  try {
    await done;
  } finally {
    clearTimeout(stopTimer);
  }
}
