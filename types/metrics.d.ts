/**
 * `llmperf/metrics`: custom metrics, as in k6. Create them in init code (at the top level of the
 * script), add samples in VU code; they are aggregated on the host, shown in the summary, and can
 * carry thresholds like the built-in metrics.
 *
 * ```ts
 * import { Trend, Counter } from 'llmperf/metrics';
 * const answerChars = new Trend('answer_chars');
 * const refusals = new Counter('refusals');
 * ```
 *
 * Names: letters, digits and `_` (a built-in name such as `llm_ttft` is refused).
 * `add()` throws a TypeError for a value that is not a finite number (booleans count as 1 / 0).
 */
/// <reference path="./globals.d.ts" />

/** Tags on one sample; values are turned into strings. Select them in thresholds: `my_metric{kind:long}`. */
export type SampleTags = Record<string, string | number | boolean>;

declare abstract class Metric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  /** Adds one sample (with the current group, scenario and run tags, plus `tags`). Returns true. */
  add(value: number | boolean, tags?: SampleTags): boolean;
}

/** A sum. Summary: `count` and `rate` (per second); thresholds: `count`, `rate`. */
export class Counter extends Metric {
  constructor(name: string);
  readonly type: 'counter';
}

/** The last value added (also its min and max). Thresholds: `value`, `min`, `max`. */
export class Gauge extends Metric {
  constructor(name: string);
  readonly type: 'gauge';
}

/** The fraction of non-zero samples (add true/false). Thresholds: `rate` (0..1), `count` (non-zero samples). */
export class Rate extends Metric {
  constructor(name: string);
  readonly type: 'rate';
}

/**
 * A distribution (HDR histogram): avg, min, med, max, p(N), count, sum. With `isTime` true the
 * values are milliseconds and are shown as durations.
 */
export class Trend extends Metric {
  constructor(name: string, isTime?: boolean);
  readonly type: 'trend';
}

declare const metrics: {
  Counter: typeof Counter;
  Gauge: typeof Gauge;
  Rate: typeof Rate;
  Trend: typeof Trend;
};
export default metrics;
