/**
 * The run's clock and its stop state, created when the script is loaded and shared by the phases
 * (runtime/engine/load.ts, execute.ts) and the services: one monotonic time origin, one stop reason,
 * the scenarios' states and the counters the execution module reads.
 */
import { setMaxListeners } from 'node:events';
import type { RunCounters, ScenarioState, StopReason } from './scenario.ts';
import { monotonicOffset } from '../monotonic.ts';

export class RunClock {
  /** performance.now() at the run's start (reset when the scenarios start) */
  t0 = performance.now();
  /** CLOCK_MONOTONIC ms minus performance.now(): expresses a time for other processes on the host (mock traces) */
  readonly monoOffset = monotonicOffset();
  /** ms since the run's start */
  readonly now = (): number => performance.now() - this.t0;
  start(): void {
    this.t0 = performance.now();
  }
}

export class RunControl {
  /** aborted by the second signal (or hardSignal): every request and sleep ends at once */
  readonly hardStopAll = new AbortController();
  reason: StopReason = 'completed';
  message: string | undefined;
  readonly scenarios: ScenarioState[] = [];
  readonly counters: RunCounters = { failedRestarts: 0, failedAllocations: 0, iterationsDone: 0, interruptedIterations: 0, droppedIterations: 0, activeVUs: 0 };

  constructor() {
    setMaxListeners(0, this.hardStopAll.signal);
  }

  /** The first stop request wins: no new iterations start; in-flight ones get their gracefulStop. */
  requestStop(reason: Exclude<StopReason, 'completed'>, msg?: string): void {
    if (this.reason !== 'completed') return;
    this.reason = reason;
    this.message = msg;
    for (const s of this.scenarios) s.stopNew.abort();
  }

  /** Stops at once: cancels in-flight requests and sleeps. */
  hardStop(): void {
    this.requestStop('interrupted');
    for (const s of this.scenarios) s.hardStop.abort();
    this.hardStopAll.abort();
  }
}
