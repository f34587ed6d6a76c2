/**
 * Sinks aggregate samples. Each keeps constant memory however many samples it sees, and can be
 * serialised and merged exactly (counters add, rates add passes/totals, gauges keep last/min/max,
 * trends add HDR histograms).
 */
import { decodeHistogram, encodeHistogram, freeHistogram, HDR_SCALE, newHistogram, type Histogram } from './hdr.ts';
import type { AggregationMethod, MetricType, SinkView, TrendStats } from './types.ts';

export interface EncodedSink {
  type: MetricType;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** gauge: last value; rate: number of non-zero samples. */
  value: number;
  /** gauge only: wall time of the last value (ms since epoch), to merge "last" across processes. */
  lastTime?: number;
  /** trend only: base64 compressed HDR histograms of positive and negative (absolute) values. */
  hdr?: string;
  hdrNeg?: string;
}

export abstract class Sink implements SinkView {
  abstract readonly type: MetricType;
  count = 0;
  abstract add(value: number, time: number): void;
  abstract value(method: AggregationMethod, durationMs: number): number;
  abstract encode(): EncodedSink;
  abstract mergeEncoded(e: EncodedSink): void;
  free(): void {}
}

export class CounterSink extends Sink {
  readonly type = 'counter' as const;
  sum = 0;
  add(v: number): void {
    this.count++;
    this.sum += v;
  }
  value(m: AggregationMethod, durationMs: number): number {
    if (m.name === 'count') return this.sum;
    if (m.name === 'rate') return durationMs > 0 ? this.sum / (durationMs / 1000) : 0;
    return NaN;
  }
  encode(): EncodedSink {
    return { type: 'counter', count: this.count, sum: this.sum, min: 0, max: 0, value: this.sum };
  }
  mergeEncoded(e: EncodedSink): void {
    this.count += e.count;
    this.sum += e.sum;
  }
}

export class GaugeSink extends Sink {
  readonly type = 'gauge' as const;
  last = 0;
  lastTime = 0;
  min = Infinity;
  max = -Infinity;
  add(v: number, time: number): void {
    this.count++;
    this.last = v;
    this.lastTime = time;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  value(m: AggregationMethod): number {
    if (this.count === 0) return NaN;
    if (m.name === 'value') return this.last;
    if (m.name === 'min') return this.min;
    if (m.name === 'max') return this.max;
    return NaN;
  }
  encode(): EncodedSink {
    return { type: 'gauge', count: this.count, sum: 0, min: this.min, max: this.max, value: this.last, lastTime: this.lastTime };
  }
  mergeEncoded(e: EncodedSink): void {
    if (e.count === 0) return;
    this.count += e.count;
    if ((e.lastTime ?? 0) >= this.lastTime) {
      this.last = e.value;
      this.lastTime = e.lastTime ?? 0;
    }
    this.min = Math.min(this.min, e.min);
    this.max = Math.max(this.max, e.max);
  }
}

export class RateSink extends Sink {
  readonly type = 'rate' as const;
  trues = 0;
  add(v: number): void {
    this.count++;
    if (v !== 0) this.trues++;
  }
  value(m: AggregationMethod): number {
    if (m.name === 'rate') return this.count === 0 ? NaN : this.trues / this.count;
    if (m.name === 'count') return this.trues;
    return NaN;
  }
  encode(): EncodedSink {
    return { type: 'rate', count: this.count, sum: this.trues, min: 0, max: 0, value: this.trues };
  }
  mergeEncoded(e: EncodedSink): void {
    this.count += e.count;
    this.trues += e.value;
  }
}

/**
 * Trend: exact count/sum/min/max; percentiles from HDR histograms (0.1 % relative precision).
 * Negative values go to a second histogram of absolute values, so any finite value is accepted.
 */
export class TrendSink extends Sink implements TrendStats {
  readonly type = 'trend' as const;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private pos: Histogram | undefined;
  private neg: Histogram | undefined;
  private negCount = 0;

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const scaled = Math.round(Math.abs(v) * HDR_SCALE);
    if (v >= 0) (this.pos ??= newHistogram()).recordValue(scaled);
    else {
      this.negCount++;
      (this.neg ??= newHistogram()).recordValue(scaled);
    }
  }

  get avg(): number {
    return this.count ? this.sum / this.count : NaN;
  }
  get med(): number {
    return this.percentile(50);
  }

  percentile(p: number): number {
    if (this.count === 0) return NaN;
    if (p <= 0) return this.min;
    if (p >= 100) return this.max;
    // Rank over the union of negative (descending by magnitude) and positive values.
    const negN = this.negCount;
    const rank = (p / 100) * this.count;
    let v: number;
    if (this.neg && rank <= negN) {
      // The k-th smallest negative is the (negN - k)-th largest magnitude.
      const q = 100 * (1 - rank / negN);
      v = -this.neg.getValueAtPercentile(Math.max(0, Math.min(100, q))) / HDR_SCALE;
    } else if (this.pos) {
      const posN = this.count - negN;
      const q = (100 * (rank - negN)) / posN;
      v = this.pos.getValueAtPercentile(Math.max(0, Math.min(100, q))) / HDR_SCALE;
    } else v = this.max;
    // HDR returns a bucket's highest equivalent value: never report beyond the exact extremes.
    return Math.min(this.max, Math.max(this.min, v));
  }

  value(m: AggregationMethod): number {
    switch (m.name) {
      case 'count':
        return this.count;
      case 'sum':
        return this.sum;
      case 'avg':
        return this.avg;
      case 'min':
        return this.count ? this.min : NaN;
      case 'max':
        return this.count ? this.max : NaN;
      case 'med':
        return this.med;
      case 'p':
        return this.percentile(m.arg);
      default:
        return NaN;
    }
  }

  encode(): EncodedSink {
    const e: EncodedSink = { type: 'trend', count: this.count, sum: this.sum, min: this.min, max: this.max, value: this.negCount };
    if (this.pos) e.hdr = encodeHistogram(this.pos);
    if (this.neg) e.hdrNeg = encodeHistogram(this.neg);
    return e;
  }

  mergeEncoded(e: EncodedSink): void {
    if (e.count === 0) return;
    this.count += e.count;
    this.sum += e.sum;
    this.min = Math.min(this.min, e.min);
    this.max = Math.max(this.max, e.max);
    this.negCount += e.value;
    if (e.hdr) {
      const h = decodeHistogram(e.hdr);
      (this.pos ??= newHistogram()).add(h);
      freeHistogram(h);
    }
    if (e.hdrNeg) {
      const h = decodeHistogram(e.hdrNeg);
      (this.neg ??= newHistogram()).add(h);
      freeHistogram(h);
    }
  }

  override free(): void {
    if (this.pos) freeHistogram(this.pos);
    if (this.neg) freeHistogram(this.neg);
    this.pos = this.neg = undefined;
  }
}

export function newSink(type: MetricType): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink();
  }
}
