/**
 * A small sparse log-bucketed histogram for the report's distribution charts: bin i covers
 * [2^(i/64), 2^((i+1)/64)) ms, about 1.1 % wide, so memory depends on the range of values (at most a
 * few thousand bins from microseconds to hours), never on the number of samples. It serialises to
 * JSON (timeline.json) and is regrouped into ~40 display bins when the report is drawn.
 *
 * The run-wide percentiles in the report's table come from the registry's HDR histograms
 * (summary.json), not from here; this only draws the shape of each distribution.
 */

/** bins per doubling of the value */
export const LOG_BINS_PER_OCTAVE = 64;

export interface LogHistData {
  count: number;
  min: number;
  max: number;
  sum: number;
  /** samples <= 0 (drawn in the first bar) */
  zero: number;
  /** [bin index, count] pairs, ascending by index */
  bins: Array<[number, number]>;
}

export class LogHistogram {
  private bins = new Map<number, number>();
  count = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  zero = 0;

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v <= 0) {
      this.zero++;
      return;
    }
    const i = binOf(v);
    this.bins.set(i, (this.bins.get(i) ?? 0) + 1);
  }

  toJSON(): LogHistData {
    return {
      count: this.count,
      min: this.count ? round3(this.min) : 0,
      max: this.count ? round3(this.max) : 0,
      sum: round3(this.sum),
      zero: this.zero,
      bins: [...this.bins.entries()].sort((a, b) => a[0] - b[0]),
    };
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function binOf(v: number): number {
  return Math.floor(Math.log2(v) * LOG_BINS_PER_OCTAVE);
}

export function binLow(i: number): number {
  return 2 ** (i / LOG_BINS_PER_OCTAVE);
}

/** One bar of a drawn histogram: [lo, hi) in the metric's unit, and its sample count. */
export interface DisplayBin {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Groups consecutive log bins into at most `maxBars` bars of equal width on a log axis. Bars with
 * no samples inside the range are kept (count 0) so the axis stays continuous. Values <= 0 are
 * added to the first bar.
 */
export function displayBins(h: LogHistData, maxBars = 40): DisplayBin[] {
  if (h.count === 0) return [];
  if (h.bins.length === 0) return [{ lo: 0, hi: 0, count: h.zero }];
  const first = h.bins[0]![0];
  const last = h.bins[h.bins.length - 1]![0];
  const span = last - first + 1;
  const group = Math.max(1, Math.ceil(span / maxBars));
  const n = Math.ceil(span / group);
  const out: DisplayBin[] = [];
  for (let k = 0; k < n; k++) out.push({ lo: binLow(first + k * group), hi: binLow(first + (k + 1) * group), count: 0 });
  for (const [i, c] of h.bins) out[Math.floor((i - first) / group)]!.count += c;
  out[0]!.count += h.zero;
  return out;
}
