/**
 * Timeline: a SampleListener that turns request records into what the HTML report draws over time,
 * with memory bounded whatever the run's length or rate.
 *
 * - Time is cut into buckets of `bucketMs` (1 s). When a run outlives MAX_BUCKETS buckets, pairs of
 *   buckets are merged and the width doubles (2 s, 4 s, ...), so there are never more than
 *   MAX_BUCKETS of them.
 * - Counts per bucket: requests started (by t0), succeeded and failed (by their end; interrupted
 *   requests are neither), failures per error code.
 * - Output tokens of each successful request are spread evenly over its generation interval
 *   [t0 + ttft, t0 + e2e], so long generations don't show up as a spike at their end.
 * - In flight: the request-milliseconds spent in flight inside each bucket (busyMs); the report
 *   divides by the bucket width to get the time-weighted average number of requests in flight.
 * - TTFT p50/p99 per bucket (by the time the first token arrived) come from a uniform reservoir of
 *   at most RESERVOIR requests per bucket: exact when a bucket holds fewer, an estimate above.
 * - Distributions of TTFT, TPOT, ITL and E2E (successful requests, as the metrics) go to sparse
 *   log histograms (loghist.ts).
 *
 * A request's end is t0 + e2e when e2e is known, else the moment its record arrived (records are
 * emitted as requests finish), on the monotonic clock aligned to the run start with startMono.
 */
import { mulberry32 } from '../rng.ts';
import type { SampleListener } from '../engine/emitter.ts';
import type { RequestRecord } from '../llm/types.ts';
import { LogHistogram, type LogHistData } from './loghist.ts';

export const TIMELINE_VERSION = 1;
export const MAX_BUCKETS = 3600;
export const RESERVOIR = 256;
export const HIST_METRICS = ['llm_ttft', 'llm_tpot', 'llm_itl', 'llm_e2e'] as const;
export type HistMetric = (typeof HIST_METRICS)[number];

/** timeline.json. Arrays are indexed by bucket: bucket i covers [i*bucketMs, (i+1)*bucketMs) ms since the run start. */
export interface TimelineData {
  version: number;
  bucketMs: number;
  /** wall clock (ms since epoch) of the run start, when any request was seen */
  startWall: number | null;
  started: number[];
  completed: number[];
  errors: number[];
  errorsByCode: Record<string, number[]>;
  outputTokens: number[];
  busyMs: number[];
  ttftP50: Array<number | null>;
  ttftP99: Array<number | null>;
  /** successful requests whose first token arrived in the bucket (what ttftP50/P99 are computed from, up to `reservoir`) */
  ttftCount: number[];
  reservoir: number;
  histograms: Record<HistMetric, LogHistData>;
}

export interface TimelineOptions {
  maxBuckets?: number;
  reservoir?: number;
  seed?: number;
  /** CLOCK_MONOTONIC in ms (comparable with RequestRecord.startMono); for tests */
  monoNow?: () => number;
}

export class Timeline implements SampleListener {
  private bucketMs = 1000;
  private readonly maxBuckets: number;
  private readonly reservoirSize: number;
  private readonly monoNow: () => number;
  private rand: () => number;
  private startWall: number | null = null;
  private readonly started: number[] = [];
  private readonly completed: number[] = [];
  private readonly errors: number[] = [];
  private readonly outputTokens: number[] = [];
  private readonly busyMs: number[] = [];
  private readonly ttftSeen: number[] = [];
  private readonly ttftRes: Array<number[] | undefined> = [];
  private readonly byCode = new Map<string, number[]>();
  private readonly hist: Record<HistMetric, LogHistogram> = { llm_ttft: new LogHistogram(), llm_tpot: new LogHistogram(), llm_itl: new LogHistogram(), llm_e2e: new LogHistogram() };

  constructor(opts: TimelineOptions = {}) {
    this.maxBuckets = Math.max(2, opts.maxBuckets ?? MAX_BUCKETS);
    this.reservoirSize = Math.max(2, opts.reservoir ?? RESERVOIR);
    this.monoNow = opts.monoNow ?? (() => Number(process.hrtime.bigint()) / 1e6);
    this.rand = mulberry32(opts.seed ?? 1);
  }

  onRecord(r: RequestRecord): void {
    const start = Math.max(0, r.start);
    if (this.startWall === null) this.startWall = r.startWall - r.start;
    let end: number;
    if (r.e2e !== null) end = start + Math.max(0, r.e2e);
    else {
      const observed = this.monoNow() - (r.startMono - r.start);
      end = Number.isFinite(observed) ? Math.max(start, observed) : start;
    }
    this.ensure(this.index(end));
    this.started[this.index(start)]!++;
    this.spread(this.busyMs, start, end, end - start);
    const interrupted = r.errorCode === 'ABORTED';
    if (r.ok) {
      this.completed[this.index(end)]!++;
      if (r.outputTokens !== null && r.outputTokens > 0) {
        if (r.ttft !== null && r.e2e !== null && r.e2e > r.ttft) this.spread(this.outputTokens, start + r.ttft, end, r.outputTokens);
        else this.outputTokens[this.index(end)]! += r.outputTokens;
      }
      if (r.ttft !== null) {
        this.sampleTtft(this.index(start + r.ttft), r.ttft);
        this.hist.llm_ttft.add(r.ttft);
      }
      if (r.tpot !== null) this.hist.llm_tpot.add(r.tpot);
      if (r.e2e !== null) this.hist.llm_e2e.add(r.e2e);
      for (const g of r.itl) this.hist.llm_itl.add(g);
    } else if (!interrupted) {
      const i = this.index(end);
      this.errors[i]!++;
      const code = r.errorCode ?? 'UNKNOWN';
      let arr = this.byCode.get(code);
      if (!arr) this.byCode.set(code, (arr = new Array<number>(this.started.length).fill(0)));
      arr[i]!++;
    }
  }

  toJSON(): TimelineData {
    const p50: Array<number | null> = [];
    const p99: Array<number | null> = [];
    for (let i = 0; i < this.started.length; i++) {
      const res = this.ttftRes[i];
      if (!res || res.length === 0) {
        p50.push(null);
        p99.push(null);
        continue;
      }
      const s = [...res].sort((a, b) => a - b);
      p50.push(round3(nearestRank(s, 50)));
      p99.push(round3(nearestRank(s, 99)));
    }
    return {
      version: TIMELINE_VERSION,
      bucketMs: this.bucketMs,
      startWall: this.startWall === null ? null : Math.round(this.startWall),
      started: [...this.started],
      completed: [...this.completed],
      errors: [...this.errors],
      errorsByCode: Object.fromEntries([...this.byCode.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => [k, [...v]])),
      outputTokens: this.outputTokens.map(round3),
      busyMs: this.busyMs.map(round3),
      ttftP50: p50,
      ttftP99: p99,
      ttftCount: [...this.ttftSeen],
      reservoir: this.reservoirSize,
      histograms: { llm_ttft: this.hist.llm_ttft.toJSON(), llm_tpot: this.hist.llm_tpot.toJSON(), llm_itl: this.hist.llm_itl.toJSON(), llm_e2e: this.hist.llm_e2e.toJSON() },
    };
  }

  private index(ms: number): number {
    return Math.max(0, Math.floor(ms / this.bucketMs));
  }

  /** Makes bucket `i` (an index at the current width) exist, coarsening first if needed. */
  private ensure(i: number): void {
    let idx = i;
    while (idx >= this.maxBuckets) {
      this.coarsen();
      idx = Math.floor(idx / 2);
    }
    while (this.started.length <= idx) {
      this.started.push(0);
      this.completed.push(0);
      this.errors.push(0);
      this.outputTokens.push(0);
      this.busyMs.push(0);
      this.ttftSeen.push(0);
      this.ttftRes.push(undefined);
      for (const arr of this.byCode.values()) arr.push(0);
    }
  }

  private coarsen(): void {
    this.bucketMs *= 2;
    const pairs = (a: number[]) => {
      const n = Math.ceil(a.length / 2);
      for (let k = 0; k < n; k++) a[k] = a[2 * k]! + (a[2 * k + 1] ?? 0);
      a.length = n;
    };
    for (const a of [this.started, this.completed, this.errors, this.outputTokens, this.busyMs, ...this.byCode.values()]) pairs(a);
    const n = Math.ceil(this.ttftRes.length / 2);
    for (let k = 0; k < n; k++) {
      const seenA = this.ttftSeen[2 * k]!;
      const seenB = this.ttftSeen[2 * k + 1] ?? 0;
      this.ttftRes[k] = this.mergeReservoirs(this.ttftRes[2 * k], seenA, this.ttftRes[2 * k + 1], seenB);
      this.ttftSeen[k] = seenA + seenB;
    }
    this.ttftRes.length = n;
    this.ttftSeen.length = n;
  }

  /** Adds `total` to the buckets [a, b) overlaps, in proportion to the overlap (all in a's bucket when b <= a). */
  private spread(arr: number[], a: number, b: number, total: number): void {
    if (total === 0) return;
    if (!(b > a)) {
      arr[this.index(a)]! += total;
      return;
    }
    const w = this.bucketMs;
    const per = total / (b - a);
    for (let i = this.index(a); i <= this.index(b) && i < arr.length; i++) {
      const lo = Math.max(a, i * w);
      const hi = Math.min(b, (i + 1) * w);
      if (hi > lo) arr[i]! += (hi - lo) * per;
    }
  }

  private sampleTtft(i: number, v: number): void {
    this.ensure(i);
    const seen = ++this.ttftSeen[i]!;
    const res = (this.ttftRes[i] ??= []);
    if (res.length < this.reservoirSize) res.push(v);
    else {
      const j = Math.floor(this.rand() * seen);
      if (j < this.reservoirSize) res[j] = v;
    }
  }

  /** A uniform sample of the union of two reservoirs that saw seenA and seenB values. */
  private mergeReservoirs(a: number[] | undefined, seenA: number, b: number[] | undefined, seenB: number): number[] | undefined {
    if (!a?.length) return b;
    if (!b?.length) return a;
    if (a.length + b.length <= this.reservoirSize && a.length === seenA && b.length === seenB) return a.concat(b);
    const sa = this.shuffle([...a]);
    const sb = this.shuffle([...b]);
    const out: number[] = [];
    const pA = seenA / (seenA + seenB);
    while (out.length < this.reservoirSize && (sa.length || sb.length)) {
      const takeA = sb.length === 0 || (sa.length > 0 && this.rand() < pA);
      out.push((takeA ? sa : sb).pop()!);
    }
    return out;
  }

  private shuffle(a: number[]): number[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function nearestRank(sorted: number[], p: number): number {
  const k = Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k]!;
}

