/**
 * Is the client the limit? Three conditions, each measured by llmperf on itself, each with a WARN
 * line during the run (at most one per condition every 10 s), a closing line, and a field of the
 * summary's `client` section:
 *  - timestamps taken late: the thread that timestamps responses (an I/O thread, or the main thread
 *    with --io-threads 0) ran its event loop late while requests were open, so a response's bytes
 *    may have waited for it (event-loop delay p99 per second over `lateMs`);
 *  - an I/O thread near its limit: busy more than `busyShare` of a second (event-loop utilisation);
 *  - the arrival schedule fell behind: llm_schedule_lag p99 over its limit or arrivals dropped
 *    (runtime/engine/lag-monitor.ts, which prints its own lines).
 * Each line says what to do: more --io-threads, fewer other processes, or more instances
 * (--execution-segment).
 */
import { monitorEventLoopDelay, performance as perf, type IntervalHistogram } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import type { ClientHealthSummary } from '../../types/summary.d.ts';
import type { IoHealth } from '../llm/io/protocol.ts';
import type { LagMonitor } from './lag-monitor.ts';

export type { ClientHealthSummary };

export interface ClientHealthOptions {
  ioThreads: number;
  log(line: string): void;
  /** event-loop delay p99 (ms) above which a second counts as late (default 5) */
  lateMs?: number;
  /** utilisation above which a second counts as busy (default 0.9) */
  busyShare?: number;
  /** ms since the run's start */
  now(): number;
}

const WARN_EVERY_MS = 10_000;

export class ClientHealth {
  private readonly lateMs: number;
  private readonly busyShare: number;
  private late = { seconds: 0, activeSeconds: 0, lagP99Ms: 0, lagMaxMs: 0 };
  private busy = { seconds: 0, maxUtilization: 0 };
  private lastLateWarn = -Infinity;
  private lastBusyWarn = -Infinity;
  /** --io-threads 0: the main thread's own event-loop delay, sampled every second while requests are open */
  private mainDelay: IntervalHistogram | undefined;
  private mainTimer: NodeJS.Timeout | undefined;
  private mainElu = perf.eventLoopUtilization();

  constructor(
    private readonly o: ClientHealthOptions,
    /** requests in flight (the main-thread sampler counts only seconds with requests open) */
    private readonly inflight: () => number = () => 0,
  ) {
    this.lateMs = o.lateMs ?? 5;
    this.busyShare = o.busyShare ?? 0.9;
  }

  /** --io-threads 0: watch the main thread, which then timestamps the responses. */
  watchMainThread(): void {
    if (this.o.ioThreads > 0 || this.mainDelay) return;
    this.mainDelay = monitorEventLoopDelay({ resolution: 5 });
    this.mainDelay.enable();
    this.mainTimer = setInterval(() => {
      const d = this.mainDelay!;
      const now = perf.eventLoopUtilization();
      const u = perf.eventLoopUtilization(now, this.mainElu).utilization;
      this.mainElu = now;
      this.second({ lagP99Ms: d.percentile(99) / 1e6, lagMaxMs: d.max / 1e6, utilization: u, inflight: this.inflight(), active: this.inflight() > 0 }, false);
      d.reset();
    }, 1000);
    this.mainTimer.unref();
  }

  /** One second of an I/O thread (LlmClient.onIoHealth). */
  ioSecond(h: IoHealth): void {
    this.second(h, true);
  }

  private second(h: IoHealth, io: boolean): void {
    if (!h.active) return;
    const l = this.late;
    l.activeSeconds++;
    const lag = Number.isFinite(h.lagP99Ms) ? h.lagP99Ms : 0;
    const max = Number.isFinite(h.lagMaxMs) ? h.lagMaxMs : 0;
    if (lag > l.lagP99Ms) l.lagP99Ms = lag;
    if (max > l.lagMaxMs) l.lagMaxMs = max;
    const t = this.o.now();
    if (lag > this.lateMs) {
      l.seconds++;
      if (t - this.lastLateWarn >= WARN_EVERY_MS) {
        this.lastLateWarn = t;
        this.o.log(`WARN timestamps were taken late: the ${io ? 'I/O thread' : 'main thread (--io-threads 0)'} that times the responses ran ${lag.toFixed(1)} ms behind (p99 over a second, max ${max.toFixed(1)} ms) while requests were open; latencies measured then may include up to that much of llmperf's own delay. ${this.advice(io)}`);
      }
    }
    if (io) {
      const b = this.busy;
      if (h.utilization > b.maxUtilization) b.maxUtilization = h.utilization;
      if (h.utilization > this.busyShare) {
        b.seconds++;
        if (t - this.lastBusyWarn >= WARN_EVERY_MS) {
          this.lastBusyWarn = t;
          this.o.log(`WARN an I/O thread was busy ${(h.utilization * 100).toFixed(0)}% of a second with ${h.inflight} requests open: it is at its limit and the responses it times wait for it. ${this.advice(true)}`);
        }
      }
    }
  }

  private advice(io: boolean): string {
    const cores = availableParallelism();
    const more = io && this.o.ioThreads < cores ? `raise --io-threads (now ${this.o.ioThreads}; this machine has ${cores} cores), ` : !io ? 'use I/O threads (--io-threads 1 or more), ' : '';
    return `To fix: ${more}keep other processes off llmperf's cores, or spread the load over more instances (--execution-segment)`;
  }

  /** The closing lines (one per condition that occurred) and the summary's `client` section. */
  finish(lag: LagMonitor): { lines: string[]; summary: ClientHealthSummary } {
    if (this.mainTimer) clearInterval(this.mainTimer);
    this.mainDelay?.disable();
    const lines: string[] = [];
    const l = this.late;
    if (l.seconds > 0) lines.push(`WARN timestamps were taken late in ${l.seconds} of ${l.activeSeconds} seconds with requests open (worst event-loop delay p99 ${l.lagP99Ms.toFixed(1)} ms, max ${l.lagMaxMs.toFixed(1)} ms): compare latencies with that before trusting their tails`);
    if (this.busy.seconds > 0) lines.push(`WARN an I/O thread was busier than ${(this.busyShare * 100).toFixed(0)}% of a core in ${this.busy.seconds} seconds (max ${(this.busy.maxUtilization * 100).toFixed(0)}%): raise --io-threads or spread the load over more instances`);
    return {
      lines,
      summary: {
        ioThreads: this.o.ioThreads,
        timestamps: { lateSeconds: l.seconds, activeSeconds: l.activeSeconds, worstLagP99Ms: round(l.lagP99Ms), worstLagMaxMs: round(l.lagMaxMs), late: l.seconds > 0 },
        ioBusy: { busySeconds: this.busy.seconds, maxUtilization: round(this.busy.maxUtilization), busy: this.busy.seconds > 0 },
        schedule: { behind: lag.behind > 0, checksBehind: lag.behind, worstLagP99Ms: round(lag.worstP99), dropped: lag.totalDropped },
      },
    };
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
