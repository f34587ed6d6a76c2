/**
 * `options.thresholds` -> compiled thresholds, validated against the metric registry.
 *
 * Accepted shapes (k6's), per metric selector (`name` or `name{tag:value,...}`):
 *   'p(95)<500'                                        a single expression
 *   { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '10s' }   a single object
 *   ['p(95)<500', { threshold: 'p(99)<900', abortOnFail: true }]           an array of either
 *
 * Checked here, every problem reported at once with where it was written
 * (`thresholds["llm_ttft"][1]: ...`): the selector's syntax, that the metric exists (with a
 * "did you mean"), the expression's grammar and that the aggregation fits the metric's type
 * (runtime/metrics/expression.ts), the object's field types and names, and that delayAbortEval is a duration.
 * Unlike k6, which ignores unknown object fields, a misspelt field (`abortOnFailure`) is an error:
 * silently ignoring it would silently disable the abort.
 *
 * Custom metrics must be defined in the registry before this runs (the script's init code creates
 * them). Sub-metric sinks are created (registry.sinkFor) only once everything is valid.
 */
import { ConfigError, LlmperfError } from '../errors.ts';
import { parseDuration } from '../options/duration.ts';
import type { Registry } from '../metrics/registry.ts';
import { formatSelector, methodProblem, parseExpression, parseSelector, ThresholdSyntaxError, type SelectorParts, type ThresholdExpression } from '../metrics/expression.ts';
import type { MetricType, SinkView } from '../metrics/types.ts';
import { suggest } from '../suggest.ts';

export interface Threshold {
  /** Canonical selector: `name`, or `name{k:v,...}` with tags in the order written (the sub-metric's name). */
  readonly metric: string;
  readonly metricType: MetricType;
  /** The expression exactly as written. */
  readonly source: string;
  readonly expression: ThresholdExpression;
  readonly abortOnFail: boolean;
  /** Abort is not requested before this much run time has elapsed (0 when not set). */
  readonly delayAbortEvalMs: number;
  readonly sink: SinkView;
  /** Where it was written, for messages: `thresholds["llm_ttft"][1]`. */
  readonly where: string;
  /** llmperf's own default (a run where every request failed fails), not written by the user */
  readonly implicit?: boolean;
}

const OBJECT_FIELDS = ['threshold', 'abortOnFail', 'delayAbortEval'];
const SHAPE_HINT = 'write an expression string such as "p(95)<500", an object { threshold: "p(95)<500", abortOnFail?: boolean, delayAbortEval?: "10s" }, or an array of them';

export function compileThresholds(thresholds: unknown, registry: Registry): Threshold[] {
  if (thresholds === undefined || thresholds === null) return [];
  if (typeof thresholds !== 'object' || Array.isArray(thresholds)) {
    throw new ConfigError(`options.thresholds must be an object mapping metric names to thresholds, e.g. { llm_ttft: ['p(95)<500'] }; got ${describe(thresholds)}`, 'INVALID_THRESHOLD');
  }
  const errors: string[] = [];
  const compiled: Array<Omit<Threshold, 'sink'> & { key: string }> = [];

  for (const [key, raw] of Object.entries(thresholds as Record<string, unknown>)) {
    const where = `thresholds[${JSON.stringify(key)}]`;
    let parts: SelectorParts | undefined;
    try {
      parts = parseSelector(key);
    } catch (e) {
      errors.push(`${where}: ${messageOf(e)}`);
    }
    const metric = parts ? registry.get(parts.metric) : undefined;
    if (parts && !metric) {
      const names = registry.all().map((m) => m.name);
      errors.push(`${where}: unknown metric ${JSON.stringify(parts.metric)}${suggest(parts.metric, names)} — thresholds apply to built-in metrics and to custom metrics created in the script's init code`);
    }
    const selector = parts ? formatSelector(parts) : key;

    let items: Array<[string, unknown]>;
    if (Array.isArray(raw)) items = raw.map((item, i) => [`${where}[${i}]`, item]);
    else if (typeof raw === 'string' || isPlainObject(raw)) items = [[where, raw]];
    else {
      errors.push(`${where}: got ${describe(raw)} — ${SHAPE_HINT}`);
      continue;
    }

    for (const [at, item] of items) {
      let src: string;
      let abortOnFail = false;
      let delayAbortEvalMs = 0;
      if (typeof item === 'string') src = item;
      else if (isPlainObject(item)) {
        let ok = true;
        for (const field of Object.keys(item)) {
          if (!OBJECT_FIELDS.includes(field)) {
            errors.push(`${at}: unknown field ${JSON.stringify(field)}${suggest(field, OBJECT_FIELDS)} — a threshold object has threshold, abortOnFail and delayAbortEval`);
            ok = false;
          }
        }
        const t = item['threshold'];
        if (typeof t !== 'string') {
          errors.push(`${at}.threshold: ${t === undefined ? 'missing' : `expected an expression string, got ${describe(t)}`} — e.g. { threshold: "p(95)<500", abortOnFail: true }`);
          continue;
        }
        src = t;
        const a = item['abortOnFail'];
        if (a !== undefined && typeof a !== 'boolean') {
          errors.push(`${at}.abortOnFail: expected true or false, got ${describe(a)}`);
          ok = false;
        } else abortOnFail = a === true;
        const d = item['delayAbortEval'];
        if (d !== undefined && d !== null) {
          if (typeof d !== 'string' && typeof d !== 'number') {
            errors.push(`${at}.delayAbortEval: expected a duration such as "10s" or "1m30s", got ${describe(d)}`);
            ok = false;
          } else {
            try {
              delayAbortEvalMs = parseDuration(d, `${at}.delayAbortEval`);
            } catch (e) {
              errors.push(messageOf(e));
              ok = false;
            }
          }
        }
        if (!ok) continue;
      } else {
        errors.push(`${at}: got ${describe(item)} — ${SHAPE_HINT}`);
        continue;
      }

      let expression: ThresholdExpression;
      try {
        expression = parseExpression(src);
      } catch (e) {
        const reason = e instanceof ThresholdSyntaxError ? e.reason : messageOf(e);
        errors.push(`${at}: threshold ${JSON.stringify(src)} on ${selector}: ${reason}`);
        continue;
      }
      if (!metric) continue;
      const problem = methodProblem(expression.method, metric.name, metric.type);
      if (problem) {
        errors.push(`${at}: threshold ${JSON.stringify(src)} on ${selector}: ${problem}`);
        continue;
      }
      compiled.push({ key, metric: selector, metricType: metric.type, source: src, expression, abortOnFail, delayAbortEvalMs, where: at });
    }
  }

  if (errors.length === 1) throw new ConfigError(errors[0]!, 'INVALID_THRESHOLD');
  if (errors.length > 1) throw new ConfigError(`${errors.length} invalid thresholds:\n  ${errors.join('\n  ')}`, 'INVALID_THRESHOLD');

  return compiled.map(({ key, ...t }) => ({ ...t, sink: registry.sinkFor(key) }));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function messageOf(e: unknown): string {
  if (e instanceof LlmperfError) return e.message;
  throw e;
}
