/** Shared metric types: the vocabulary of runtime/metrics, thresholds, summary and outputs. */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** What a metric's values are: `time` values are milliseconds, `data` values are bytes. */
export type ValueKind = 'default' | 'time' | 'data';
export type Tags = Readonly<Record<string, string>>;

// One observation (`time`: wall-clock ms since the epoch, for outputs; durations are in `value`):
// defined once, in the public types.
export type { Sample } from '../../types/run.d.ts';

/** A trend's aggregate statistics as the summary and thresholds see them. */
export interface TrendStats {
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
  med: number;
  /** p(N) for any N in [0, 100]. */
  percentile(p: number): number;
}

/**
 * A statistic a threshold, an SLO or the summary asks of a sink; `p(N)` is { name: 'p', arg: N }.
 * Which ones apply to which metric type: runtime/metrics/expression.ts METHODS_BY_TYPE.
 */
export type AggregationMethod =
  | { name: 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'sum' }
  | { name: 'p'; arg: number };


/** A read-only view of one sink (a metric or a sub-metric), what thresholds evaluate against. */
export interface SinkView {
  readonly type: MetricType;
  /** Number of samples added. */
  readonly count: number;
  /**
   * The value of an aggregation at the given run duration (ms; counters' `rate` divides by it).
   * NaN when the sink is empty and the method has no natural value for "nothing yet" (avg, p(N)...).
   */
  value(method: AggregationMethod, durationMs: number): number;
}
