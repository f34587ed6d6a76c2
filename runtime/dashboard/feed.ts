/**
 * What feeds the dashboard from one engine run: a SampleListener for the request records (and the
 * schedule-lag and dropped-iteration samples), plus the run's onStart / onTick / onResult hooks
 * (RunRequest, runtime/api.ts). It turns them into DashEvents (model.ts):
 *
 *  - onStart: a `run` event (target, scenarios and their plan, thresholds);
 *  - every engine tick (1 s): a `tick` event with the requests that ended since the last tick,
 *    percentiles over the last windowMs, in-flight requests, VUs, schedule lag, scenario progress,
 *    the estimated end and every threshold evaluated on the figures so far;
 *  - onResult: a last partial tick (the records that arrived after the last tick), then `runEnd`
 *    with the figures of the run's summary (what summary.json holds).
 *
 * Memory is bounded: per tick, at most RESERVOIR values per metric are kept (a uniform sample,
 * each weighted by how many it stands for), and only the ticks of the window.
 * Requests cancelled by a hard stop (ABORTED) are interrupted, not counted, as in the summary.
 */
import type { SampleListener } from '../engine/emitter.ts';
import type { RunResult, RunStartInfo, RunTick } from '../engine/run.ts';
import type { RequestRecord } from '../llm/types.ts';
import type { Sample } from '../metrics/types.ts';
import { estimateEndMs } from '../outputs/progress.ts';
import { mulberry32 } from '../rng.ts';
import type { SummaryData } from '../summary/data.ts';
import { evaluateOne, type Threshold } from '../thresholds/index.ts';
import type { DashEvent, DashFinal, DashPoint, DashRun, DashThreshold, Pct } from './model.ts';

export const RESERVOIR = 512;

/** The hooks a run takes (runtime/api.ts run(): listeners, onStart, onTick, onResult). */
export interface RunHooks {
  listeners: SampleListener[];
  onStart(info: RunStartInfo): void;
  onTick(t: RunTick): void;
  onResult(r: RunResult, summary: SummaryData): void;
}

/** A uniform sample of at most RESERVOIR values, and how many values it stands for. */
class Reservoir {
  values: number[] = [];
  seen = 0;
  constructor(private readonly rand: () => number) {}
  add(v: number): void {
    this.seen++;
    if (this.values.length < RESERVOIR) this.values.push(v);
    else {
      const j = Math.floor(this.rand() * this.seen);
      if (j < RESERVOIR) this.values[j] = v;
    }
  }
}

interface TickAcc {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  outTokens: number;
  dropped: number;
  ttft: Reservoir;
  itl: Reservoir;
  e2e: Reservoir;
  lag: Reservoir;
  lagMax: number;
}

/** Weighted nearest-rank percentiles over several reservoirs (each value stands for seen/length values). */
export function windowPct(rs: readonly Reservoir[]): Pct | null {
  const pairs: Array<[number, number]> = [];
  let total = 0;
  let n = 0;
  for (const r of rs) {
    if (!r.values.length) continue;
    const w = r.seen / r.values.length;
    for (const v of r.values) pairs.push([v, w]);
    total += r.seen;
    n += r.values.length;
  }
  if (!pairs.length) return null;
  pairs.sort((a, b) => a[0] - b[0]);
  const at = (q: number) => {
    const want = q * total;
    let acc = 0;
    for (const [v, w] of pairs) {
      acc += w;
      if (acc >= want - 1e-9) return round(v);
    }
    return round(pairs[pairs.length - 1]![0]);
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), n };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export class RunFeed implements SampleListener {
  private readonly rand = mulberry32(7);
  private acc: TickAcc;
  private readonly window: TickAcc[] = [];
  private readonly windowTicks: number;
  private lastElapsed = 0;
  private thresholds: readonly Threshold[] = [];
  private plannedMs = 0;
  private started = false;
  /** startTime of each scenario, ms */
  private readonly starts = new Map<string, number>();

  constructor(
    private readonly index: number,
    private readonly label: string,
    windowMs: number,
    /** seconds since the dashboard started */
    private readonly clock: () => number,
    private readonly emit: (ev: DashEvent) => void,
  ) {
    this.windowTicks = Math.max(1, Math.round(windowMs / 1000));
    this.acc = this.newAcc();
  }

  /** The run() hooks that feed this run. */
  hooks(): RunHooks {
    return {
      listeners: [this],
      onStart: (i) => this.onStart(i),
      onTick: (t) => this.onTick(t),
      onResult: (r, s) => this.onResult(r, s),
    };
  }

  onRecord(r: RequestRecord): void {
    if (r.errorCode === 'ABORTED') return;
    const a = this.acc;
    if (r.ok) {
      a.ok++;
      if (r.outputTokens) a.outTokens += r.outputTokens;
      if (r.ttft !== null) a.ttft.add(r.ttft);
      if (r.e2e !== null) a.e2e.add(r.e2e);
      for (const g of r.itl) a.itl.add(g);
    } else {
      a.failed++;
      const code = r.errorCode ?? 'UNKNOWN';
      a.errors[code] = (a.errors[code] ?? 0) + 1;
    }
  }

  onSample(s: Sample): void {
    if (s.metric === 'llm_schedule_lag') {
      this.acc.lag.add(s.value);
      if (s.value > this.acc.lagMax) this.acc.lagMax = s.value;
    } else if (s.metric === 'dropped_iterations') this.acc.dropped += s.value;
  }

  onStart(info: RunStartInfo): void {
    this.started = true;
    this.thresholds = info.thresholds ?? [];
    this.plannedMs = Math.max(0, ...info.plans.map((p) => p.scenario.startTimeMs + p.plan.durationMs));
    for (const p of info.plans) this.starts.set(p.scenario.name, p.scenario.startTimeMs);
    const run: DashRun = {
      index: this.index,
      label: this.label,
      startT: round(this.clock()),
      endT: null,
      target: info.targetUrl,
      embeddedMock: info.embeddedMock,
      model: info.options.llm.model,
      plannedMs: this.plannedMs,
      etaMs: null,
      scenarios: info.plans.map((p) => ({
        name: p.scenario.name,
        executor: p.scenario.executor,
        description: p.plan.description,
        startMs: p.scenario.startTimeMs,
        durationMs: p.plan.durationMs,
        iterations: p.plan.iterations,
        progress: 0,
        vus: 0,
        done: 0,
      })),
      thresholds: this.evaluate(0),
      final: null,
    };
    this.emit({ type: 'run', run });
  }

  onTick(t: RunTick): void {
    if (!this.started) return;
    const scenarios = t.scenarios.map((s) => ({ name: s.name, progress: round(s.progress), vus: s.activeVUs, done: s.iterations }));
    const eta = estimateEndMs(
      t.scenarios.map((s) => ({ startTimeMs: this.starts.get(s.name) ?? 0, durationMs: s.plan.durationMs, progress: s.progress })),
      t.elapsedMs,
    );
    const point = this.closeTick(t.elapsedMs, t.inflight, t.scenarios.reduce((a, s) => a + s.activeVUs, 0));
    this.emit({ type: 'tick', point, etaMs: eta === null ? null : Math.round(eta), scenarios, thresholds: this.evaluate(t.elapsedMs) });
  }

  onResult(r: RunResult, summary: SummaryData): void {
    if (!this.started) return;
    // the requests that ended after the last tick (and teardown()'s): a last, partial point
    const a = this.acc;
    if (a.ok || a.failed || a.dropped || r.durationMs - this.lastElapsed >= 250) {
      // a partial tick: its rates are over the time it covers, at least half a tick (no spike from a few ms)
      this.emit({ type: 'tick', point: this.closeTick(Math.max(r.durationMs, this.lastElapsed + 500), 0, 0), etaMs: r.durationMs, scenarios: [], thresholds: this.evaluate(r.durationMs) });
    }
    const thresholds: DashThreshold[] = summary.thresholds.map((x) => ({
      metric: x.metric,
      source: x.source,
      ok: x.ok,
      observed: Number.isFinite(x.observed) ? x.observed : null,
      aggregation: x.aggregation,
      ...(x.implicit ? { implicit: true } : {}),
    }));
    this.emit({ type: 'runEnd', index: this.index, endT: round(this.clock()), final: finalOf(r.exitCode, summary), thresholds });
  }

  /** Thresholds on the figures so far (ok null while a metric has no sample: the end decides). */
  private evaluate(elapsedMs: number): DashThreshold[] {
    const out: DashThreshold[] = [];
    for (const t of this.thresholds) {
      const r = evaluateOne(t, Math.max(1, elapsedMs));
      if (t.implicit && (r.ok || r.samples === 0)) continue; // llmperf's own threshold shows only when it fails
      out.push({ metric: r.metric, source: r.source, ok: r.samples === 0 ? null : r.ok, observed: Number.isFinite(r.observed) ? round(r.observed) : null, aggregation: r.aggregation, samples: r.samples, ...(r.implicit ? { implicit: true } : {}) });
    }
    return out;
  }

  private closeTick(elapsedMs: number, inflight: number, vus: number): DashPoint {
    const a = this.acc;
    this.window.push(a);
    while (this.window.length > this.windowTicks) this.window.shift();
    const lagRes = this.window.map((x) => x.lag);
    const lagPct = windowPct(lagRes);
    const point: DashPoint = {
      t: round(this.clock()),
      run: this.index,
      dt: round(Math.max(0.001, (elapsedMs - this.lastElapsed) / 1000)),
      ok: a.ok,
      failed: a.failed,
      errors: a.errors,
      outTokens: round(a.outTokens),
      ttft: windowPct(this.window.map((x) => x.ttft)),
      itl: windowPct(this.window.map((x) => x.itl)),
      e2e: windowPct(this.window.map((x) => x.e2e)),
      inflight,
      vus,
      lag: lagPct ? { p99: lagPct.p99, max: round(Math.max(...this.window.map((x) => x.lagMax))), n: lagPct.n } : null,
      dropped: a.dropped,
    };
    this.lastElapsed = elapsedMs;
    this.acc = this.newAcc();
    return point;
  }

  private newAcc(): TickAcc {
    return { ok: 0, failed: 0, errors: {}, outTokens: 0, dropped: 0, ttft: new Reservoir(this.rand), itl: new Reservoir(this.rand), e2e: new Reservoir(this.rand), lag: new Reservoir(this.rand), lagMax: 0 };
  }
}

/** The run's figures as its summary has them. */
export function finalOf(exitCode: number, s: SummaryData): DashFinal {
  const l = s.llm;
  const extra = s as unknown as Record<string, unknown>;
  const health: Record<string, unknown> = {};
  for (const k of ['client', 'io']) if (extra[k] && typeof extra[k] === 'object') health[k] = extra[k];
  return {
    exitCode,
    stopReason: s.state.stopReason,
    durationMs: l.durationMs,
    requests: l.requests,
    succeeded: l.succeeded,
    failed: l.failed,
    interrupted: l.interrupted,
    successRate: l.successRate,
    requestThroughput: l.requestThroughput,
    outputTokenThroughput: l.outputTokenThroughput,
    totalTokenThroughput: l.totalTokenThroughput,
    goodput: l.goodput,
    peakConcurrency: l.peakConcurrency,
    percentiles: l.percentiles,
    errors: l.errors,
    health: Object.keys(health).length ? health : null,
  };
}
