/**
 * Evaluates compiled thresholds against their sinks. Semantics follow k6 (metrics/engine/engine.go
 * `evaluateThresholds`, metrics/thresholds.go `Thresholds.Run`/`runAll`/`runNoTaint`,
 * metrics/sink.go, internal/cmd/run.go):
 *
 * Two kinds of evaluation
 * - `abortRequested(elapsed)` is k6's periodic check (k6 runs it every 2 s): it looks only at
 *   `abortOnFail` thresholds whose sink has samples, and requests an abort when one fails and
 *   `elapsed >= delayAbortEval` (k6 compares delay < elapsed; the difference is one instant).
 *   A failure before the delay does not abort, and is forgotten if the threshold passes again by the
 *   time the delay is over. Once requested, the abort is latched: later calls return the same result
 *   (k6's `Thresholds.Abort` never resets) and the caller stops the run.
 * - `evaluate(elapsed)` is k6's end-of-test evaluation, the one the summary shows: every threshold,
 *   including those on metrics that never got a sample. Its results replace the previous ones.
 *
 * The final evaluation decides. A threshold that failed mid-run but passes at the end is reported
 * as passed (k6 re-runs every threshold at the end and resets `LastFailed`/`Tainted` each time).
 * The one exception is an abort: when an abortOnFail threshold stopped the run, the run counts as
 * failed (k6 exits 99 from the abort error whatever the final evaluation says), so `anyFailed()` is
 * true after an abort even if every final result passes; the results still show the final values.
 *
 * Metrics with no samples (k6 behaviour since v0.38, issues #1346 and #2540, PR #2521):
 * - during the run they are skipped, so they never trigger an abort;
 * - at the end they are evaluated against k6's values for an empty sink: 0 for counters (count and
 *   rate), gauges (value, min, max) and trends (avg, min, max, med, p(N), count, sum), so
 *   `p(95)<500` passes and `count>0` fails; a rate metric's `rate` has no value and the threshold
 *   passes (observed is NaN). llmperf's own extension `count` on a rate is 0.
 * This mirrors k6 exactly, including its sharp edge: a latency threshold passes when every request
 * failed and no latency was recorded. Pair latency thresholds with one on `llm_req_failed`, or add
 * `count>0` to the trend. `samples` in each result tells "0 samples" apart from a real 0.
 */
import type { Threshold } from './config.ts';
import { compare, formatMethod } from '../metrics/expression.ts';

export interface ThresholdResult {
  /** Canonical selector: `llm_ttft` or `llm_ttft{scenario:chat}`. */
  metric: string;
  /** The expression as written. */
  source: string;
  ok: boolean;
  /** The sink's value for the aggregation (counter `rate` = sum / elapsed seconds). NaN: no value (empty rate). */
  observed: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** The aggregation as written in summaries: `p(95)`, `avg`, `rate`. */
  aggregation: string;
  /** Number of samples in the (sub-)metric when evaluated. */
  samples: number;
  /** llmperf's built-in threshold on failed requests (runtime/engine/prepare.ts), not the user's */
  implicit?: boolean;
}

export class ThresholdEvaluator {
  private readonly thresholds: readonly Threshold[];
  private last: ThresholdResult[] = [];
  private abort: ThresholdResult | undefined;

  constructor(thresholds: Threshold[]) {
    this.thresholds = [...thresholds];
  }

  /** End-of-test semantics (see above): evaluates every threshold, remembers and returns the results. */
  evaluate(elapsedMs: number): ThresholdResult[] {
    this.last = this.thresholds.map((t) => evaluateOne(t, elapsedMs));
    return this.last;
  }

  /**
   * Periodic check during the run: the first failing abortOnFail threshold (with samples) whose
   * delayAbortEval has elapsed, or undefined. Latched once it returns a result.
   */
  abortRequested(elapsedMs: number): ThresholdResult | undefined {
    if (this.abort) return this.abort;
    for (const t of this.thresholds) {
      if (!t.abortOnFail || t.sink.count === 0 || elapsedMs < t.delayAbortEvalMs) continue;
      const r = evaluateOne(t, elapsedMs);
      if (!r.ok) return (this.abort = r);
    }
    return undefined;
  }

  /** The threshold that stopped the run, if any. */
  get abortedBy(): ThresholdResult | undefined {
    return this.abort;
  }

  /** The results of the last `evaluate()` (empty before the first). */
  results(): ThresholdResult[] {
    return this.last;
  }

  /** True when the last evaluation has a failure, or when an abortOnFail threshold stopped the run. */
  anyFailed(): boolean {
    return this.abort !== undefined || this.last.some((r) => !r.ok);
  }
}

export function evaluateOne(t: Threshold, elapsedMs: number): ThresholdResult {
  const { method, op, value } = t.expression;
  const samples = t.sink.count;
  let observed = t.sink.value(method, elapsedMs);
  let ok: boolean;
  if (samples === 0 && t.metricType === 'rate' && method.name === 'rate') {
    observed = NaN;
    ok = true; // k6: an empty rate has no value and its thresholds pass
  } else {
    if (samples === 0 && !Number.isFinite(observed)) observed = 0; // k6's empty-sink values
    ok = compare(observed, op, value);
  }
  return {
    metric: t.metric,
    source: t.source,
    ok,
    observed,
    abortOnFail: t.abortOnFail,
    delayAbortEvalMs: t.delayAbortEvalMs,
    aggregation: formatMethod(method),
    samples,
    ...(t.implicit ? { implicit: true } : {}),
  };
}
