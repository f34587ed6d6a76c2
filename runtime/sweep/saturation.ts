/**
 * Saturation of an open-loop level: when arrivals come faster than the target serves them, requests
 * queue, in-flight requests grow without bound and so does every new request's TTFT. Waiting for
 * the end of such a level burns minutes and measures only the queue, so the level is stopped early
 * and marked failed ("saturated").
 *
 * Pure: feed it iteration starts and ends and TTFTs with their times, and ask `check(now)`.
 * Time is cut into windows of `windowMs`; for each closed window it keeps the in-flight count at its
 * end and the mean TTFT of requests that got their first token in it. Saturated when, over the last
 * `windows` windows (and after `minElapsedMs`):
 *  - in-flight grew in every window but at most one, and by at least `minGrowth` overall, and
 *  - the mean TTFT grew in every window but at most one, and the last is at least `ttftFactor` times
 *    the first measured window's;
 * or as soon as arrivals were dropped for want of a VU (maxVUs all busy) for more than `dropShare`
 * of the arrivals.
 */
export interface SaturationOptions {
  windowMs: number;
  windows: number;
  minElapsedMs: number;
  minGrowth: number;
  ttftFactor: number;
  dropShare: number;
}

export const SATURATION_DEFAULTS: SaturationOptions = { windowMs: 500, windows: 5, minElapsedMs: 2000, minGrowth: 8, ttftFactor: 2, dropShare: 0.02 };

interface Window {
  inflight: number;
  ttftSum: number;
  ttftCount: number;
}

export class SaturationDetector {
  private readonly o: SaturationOptions;
  private started = 0;
  private ended = 0;
  private dropped = 0;
  private readonly closed: Window[] = [];
  private cur: Window = { inflight: 0, ttftSum: 0, ttftCount: 0 };
  private curEnd: number;
  private firstTtft: number | null = null;

  constructor(private readonly t0: number, opts: Partial<SaturationOptions> = {}) {
    this.o = { ...SATURATION_DEFAULTS, ...opts };
    this.curEnd = t0 + this.o.windowMs;
  }

  private roll(t: number): void {
    while (t >= this.curEnd) {
      this.cur.inflight = this.started - this.ended;
      if (this.cur.ttftCount > 0 && this.firstTtft === null) this.firstTtft = this.cur.ttftSum / this.cur.ttftCount;
      this.closed.push(this.cur);
      if (this.closed.length > 64) this.closed.shift();
      this.cur = { inflight: 0, ttftSum: 0, ttftCount: 0 };
      this.curEnd += this.o.windowMs;
    }
  }

  iterationStarted(t: number): void {
    this.roll(t);
    this.started++;
  }

  iterationEnded(t: number): void {
    this.roll(t);
    this.ended++;
  }

  arrivalsDropped(t: number, n: number): void {
    this.roll(t);
    this.dropped += n;
  }

  ttft(t: number, ms: number): void {
    this.roll(t);
    this.cur.ttftSum += ms;
    this.cur.ttftCount++;
  }

  /** A reason when the level is saturated, else null. */
  check(t: number): string | null {
    this.roll(t);
    const arrivals = this.started + this.dropped;
    if (this.dropped >= 5 && this.dropped > arrivals * this.o.dropShare) {
      return `saturated: ${this.dropped} of ${arrivals} arrivals dropped, every VU busy (in-flight requests piling up)`;
    }
    if (t - this.t0 < this.o.minElapsedMs) return null;
    const k = this.o.windows;
    const w = this.closed.slice(-k);
    if (w.length < k) return null;
    const infl = w.map((x) => x.inflight);
    const ttfts = w.map((x) => (x.ttftCount ? x.ttftSum / x.ttftCount : NaN));
    if (ttfts.some((x) => Number.isNaN(x)) || this.firstTtft === null) return null;
    const rising = (xs: number[]) => xs.slice(1).filter((x, i) => !(x > xs[i]!)).length <= 1;
    const growth = infl[infl.length - 1]! - infl[0]!;
    const lastTtft = ttfts[ttfts.length - 1]!;
    if (rising(infl) && growth >= this.o.minGrowth && rising(ttfts) && lastTtft >= this.o.ttftFactor * this.firstTtft) {
      return `saturated: in-flight requests ${infl[0]} → ${infl[infl.length - 1]} and TTFT ${Math.round(ttfts[0]!)} → ${Math.round(lastTtft)} ms over the last ${((k * this.o.windowMs) / 1000).toFixed(1)} s, still growing`;
    }
    return null;
  }
}
