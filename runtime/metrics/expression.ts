/**
 * Metric expressions: the one grammar that thresholds, SLOs (`llmperf sweep/capacity --slo`),
 * options.slo, the summary's trend stats and option resolution read metrics with.
 *
 * ```
 * threshold   := ws* agg ws* op ws* number ws*                    -- k6: the selector is the object key
 * slo         := ws* agg ws* "(" ws* selector ws* ")" ws* op ws* number ws*
 * stat        := agg                                              -- summaryTrendStats: "p(95)", "avg"
 * agg         := "avg" | "min" | "max" | "med" | "sum" | "count" | "rate" | "value"
 *              | "p" ws* "(" ws* number ws* ")"                   -- percentile, 0 <= N <= 100
 *              | "p" digits ["." digits]                          -- slo form only: p99, p99.9
 * selector    := metric [ "{" tag ":" value ("," tag ":" value)* "}" ]
 *                metric: [A-Za-z_][A-Za-z0-9_]{0,127}; values may be quoted; in an slo the short
 *                names ttft, tpot, itl, e2e, ttfb mean llm_ttft, ...
 * op          := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="   -- slo: "<" | "<=" | ">" | ">="
 * number      := ["+" | "-"] (digit+ ["." digit*] | "." digit+) [("e" | "E") ["+" | "-"] digit+]
 * ```
 *
 * Thresholds follow k6 (metrics/thresholds_parser.go): keywords are case-sensitive (`AVG` is an error
 * with a hint), `===` compares like `==`, numbers are plain numbers in the metric's own unit (ms for
 * time trends, bytes for data counters, a 0..1 fraction for rates) so `500ms`, `1s` and `1%` are
 * rejected with the number to write instead, NaN and Infinity are not numbers, `pN` is an error with
 * "did you mean p(N)?" (k6 has no short form), and `sum` on trends is an llmperf addition. Tokens are
 * atomic: whitespace may surround any token (`p ( 95 ) < 500`) but not split one (`< =`, `5 00`).
 *
 * Which aggregation fits which metric type (METHODS_BY_TYPE) is checked against the registry by the
 * users of a parsed expression (`checkMethod`), not by the grammar.
 */
import { ConfigError } from '../errors.ts';
import { suggest } from '../suggest.ts';
import type { AggregationMethod, MetricType } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Aggregations per metric type

/** The aggregations each metric type supports (k6's set, plus `count` and `sum` on trends, `count` on rates). */
export const METHODS_BY_TYPE: Record<MetricType, readonly AggregationMethod['name'][]> = {
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max'],
  rate: ['rate', 'count'],
  trend: ['avg', 'min', 'max', 'med', 'p', 'count', 'sum'],
};

/** `p(95)`, `avg`: how an aggregation is written (and shown in summaries, as k6 does). */
export function formatMethod(m: AggregationMethod): string {
  return m.name === 'p' ? `p(${m.arg})` : m.name;
}

/** `avg, min, max, med, p(N), count, sum` for a metric type. */
export function methodsFor(type: MetricType): string {
  return METHODS_BY_TYPE[type].map((m) => (m === 'p' ? 'p(N)' : m)).join(', ');
}

/** Whether `m` applies to a metric of `type`; when not, the reason as a sentence ending in what does. */
export function methodProblem(m: AggregationMethod, metric: string, type: MetricType): string | null {
  if (METHODS_BY_TYPE[type].includes(m.name)) return null;
  return `"${formatMethod(m)}" does not apply to ${metric}, a ${type} metric — ${type}s support ${methodsFor(type)}`;
}

// ---------------------------------------------------------------------------------------------
// Selectors

export const METRIC_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

export interface SelectorParts {
  metric: string;
  tags: Array<[string, string]>;
}

/** Short names an SLO may use for the built-in latency metrics. */
export const SHORT_METRIC_NAMES: Readonly<Record<string, string>> = { ttft: 'llm_ttft', tpot: 'llm_tpot', itl: 'llm_itl', e2e: 'llm_e2e', ttfb: 'llm_ttfb' };

/** Parses `name` or `name{tag:value,other:value}`; throws ConfigError pointing at the bad part. */
export function parseSelector(selector: string): SelectorParts {
  const s = selector.trim();
  const open = s.indexOf('{');
  if (open < 0) {
    if (!METRIC_NAME_RE.test(s)) throw new ConfigError(`invalid metric name ${JSON.stringify(selector)}: use letters, digits and _ (max 128), not starting with a digit`);
    return { metric: s, tags: [] };
  }
  if (!s.endsWith('}')) throw new ConfigError(`invalid metric selector ${JSON.stringify(selector)}: missing closing "}"`);
  const metric = s.slice(0, open).trim();
  if (!METRIC_NAME_RE.test(metric)) throw new ConfigError(`invalid metric name ${JSON.stringify(metric)} in ${JSON.stringify(selector)}`);
  const body = s.slice(open + 1, -1).trim();
  if (!body) throw new ConfigError(`invalid metric selector ${JSON.stringify(selector)}: empty tag list "{}"`);
  const tags: Array<[string, string]> = [];
  for (const part of body.split(',')) {
    const colon = part.indexOf(':');
    if (colon < 0) throw new ConfigError(`invalid tag filter ${JSON.stringify(part.trim())} in ${JSON.stringify(selector)}: write tag:value`);
    const k = part.slice(0, colon).trim();
    let v = part.slice(colon + 1).trim();
    if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) v = v.slice(1, -1);
    if (!k) throw new ConfigError(`invalid tag filter ${JSON.stringify(part.trim())} in ${JSON.stringify(selector)}: empty tag name`);
    tags.push([k, v]);
  }
  return { metric, tags };
}

/** The canonical name of a selector (the sub-metric's name): `name`, or `name{k:v,...}` in the order written. */
export function formatSelector(parts: { metric: string; tags: ReadonlyArray<readonly [string, string]> }): string {
  return parts.tags.length === 0 ? parts.metric : `${parts.metric}{${parts.tags.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=' | '===';
/** Kept for the thresholds' vocabulary. */
export type ThresholdOperator = ComparisonOperator;

export interface ThresholdExpression {
  /** The expression exactly as written. */
  source: string;
  method: AggregationMethod;
  /** As written; `===` compares exactly like `==`. */
  op: ComparisonOperator;
  value: number;
}

/** An SLO: an aggregation of one (sub-)metric compared with a bound. */
export interface SloExpression {
  /** The expression as given (trimmed). */
  source: string;
  /** Canonical selector, short names expanded: llm_ttft, llm_ttft{turn:1}. */
  selector: string;
  metric: string;
  agg: AggregationMethod;
  op: '<' | '<=' | '>' | '>=';
  bound: number;
}

/** A malformed threshold expression. `reason` says what is wrong, without the quoted input. */
export class ThresholdSyntaxError extends ConfigError {
  readonly input: string;
  readonly reason: string;
  constructor(input: string, reason: string) {
    super(`threshold ${JSON.stringify(input)}: ${reason}`, 'INVALID_THRESHOLD');
    this.name = 'ThresholdSyntaxError';
    this.input = input;
    this.reason = reason;
  }
}

const SIMPLE_METHODS = ['avg', 'min', 'max', 'med', 'sum', 'count', 'rate', 'value'] as const;
type SimpleMethod = (typeof SIMPLE_METHODS)[number];
export const VALID_AGGREGATIONS = 'avg, min, max, med, sum, p(N), count, rate or value';
const OPERATORS: readonly ComparisonOperator[] = ['<', '<=', '>', '>=', '==', '===', '!='];
const VALID_OPERATORS = '<, <=, >, >=, == or != (=== is accepted as ==)';
/** Operators people write by habit from other languages, and what to write instead. */
const OPERATOR_HINTS: Record<string, string> = { '=': '==', '=>': '>=', '=<': '<=', '<>': '!=', '!==': '!=', '=!': '!=', '=>=': '>=' };
/** Names from other tools, and ours. */
const ALIAS_HINTS: Record<string, string> = { mean: 'avg', average: 'avg', median: 'med', last: 'value', total: 'count or sum', minimum: 'min', maximum: 'max' };
const NUMBER_RE = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const OP_CHARS_RE = /[<>=!]+/y;
const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SLO_HELP = "write AGG(METRIC) OP NUMBER, e.g. 'p99(llm_ttft)<500', 'avg(llm_tpot)<50', 'rate(llm_req_failed)<0.01'";

/** Parses one threshold expression; throws ThresholdSyntaxError (a ConfigError) on malformed input. */
export function parseExpression(src: string): ThresholdExpression {
  if (typeof src !== 'string') throw new ThresholdSyntaxError(String(src), 'a threshold must be a string such as "p(95)<500"');
  const p: Parser = new Parser(src, (reason) => new ThresholdSyntaxError(src, reason), false);
  p.ws();
  if (p.atEnd()) p.fail('empty threshold — write <aggregation> <operator> <number>, e.g. "p(95)<500" or "rate<0.01"');
  const method = p.aggregation();
  p.ws();
  const op = p.operator(method);
  p.ws();
  const value = p.number(`after "${op}"`, true);
  p.ws();
  if (!p.atEnd()) p.trailing(value);
  return { source: src, method, op, value };
}

/** Parses one SLO (`p99(llm_ttft)<500`); throws ConfigError naming the flag and how to write one. */
export function parseSloExpression(src: string, where = '--slo'): SloExpression {
  const prefix = `${where} ${JSON.stringify(src)}`;
  const p: Parser = new Parser(src, (reason) => new ConfigError(`${prefix}: ${reason}`), true, 'SLO');
  p.ws();
  if (p.atEnd()) p.fail(`empty: ${SLO_HELP}`);
  const agg = p.aggregation();
  p.ws();
  if (!p.take('(')) p.fail(`not an SLO expression: ${SLO_HELP}`);
  const close = src.indexOf(')', p.pos);
  if (close < 0) p.fail(`not an SLO expression: ${SLO_HELP}`);
  const selText = src.slice(p.pos, close).trim();
  if (!selText) p.fail(`empty metric in ${formatMethod(agg)}(): ${SLO_HELP}`);
  let parts: SelectorParts;
  try {
    parts = parseSelector(selText);
  } catch (e) {
    p.fail((e as Error).message);
  }
  p.pos = close + 1;
  p.ws();
  if (p.atEnd()) p.fail(`not an SLO expression: ${SLO_HELP}`);
  const op = p.operator(agg);
  if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=') p.fail(`an SLO compares with <, <=, > or >=, not ${op}`);
  p.ws();
  const bound = p.number(`after "${op}"`, true);
  p.ws();
  if (!p.atEnd()) p.trailing(bound);
  const metric = SHORT_METRIC_NAMES[parts.metric] ?? parts.metric;
  return { source: src.trim(), selector: formatSelector({ metric, tags: parts.tags }), metric, agg, op, bound };
}

/** Parses one summary statistic (`avg`, `p(95)`, `count`); throws ConfigError saying what is allowed. */
export function parseStat(src: string, where = 'summaryTrendStats'): AggregationMethod {
  const bad = () => new ConfigError(`${where}: invalid stat ${JSON.stringify(src)}; use avg, min, med, max, count, sum or p(N)`);
  if (typeof src !== 'string') throw bad();
  const p: Parser = new Parser(src, () => bad(), false);
  p.ws();
  if (p.atEnd()) throw bad();
  const m = p.aggregation();
  p.ws();
  if (!p.atEnd() || !METHODS_BY_TYPE.trend.includes(m.name)) throw bad();
  return m;
}

/** A tokenizer over one expression; `fail` builds the error of the calling grammar. */
class Parser {
  pos = 0;
  constructor(
    private readonly src: string,
    private readonly error: (reason: string) => Error,
    /** accept `p99` / `p99.9` (the SLO form) */
    private readonly shortPercentile: boolean,
    /** what is being parsed, for messages: "threshold" or "SLO" */
    private readonly noun = 'threshold',
  ) {}

  fail(reason: string): never {
    throw this.error(reason);
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  take(ch: string): boolean {
    if (this.src[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    if (!m) return undefined;
    this.pos = re.lastIndex;
    return m[0];
  }

  /** The rest of the input from the current position, for error messages. */
  private rest(): string {
    return this.src.slice(this.pos).trim();
  }

  aggregation(): AggregationMethod {
    const word = this.match(WORD_RE);
    if (word === undefined) {
      const op = /^[<>=!]+/.exec(this.rest())?.[0];
      if (op) this.fail(`missing the aggregation before "${op}" — use ${VALID_AGGREGATIONS}`);
      this.fail(`expected an aggregation at ${JSON.stringify(this.rest())} — use ${VALID_AGGREGATIONS}`);
    }
    if ((SIMPLE_METHODS as readonly string[]).includes(word)) return { name: word as SimpleMethod };
    if (word === 'p') {
      this.ws();
      if (this.src[this.pos] === '(') return this.percentile();
      this.fail(`a percentile is written p(N), e.g. p(95) — use ${VALID_AGGREGATIONS}`);
    }
    const pN = /^p(\d+)$/.exec(word);
    if (pN) {
      const n = pN[1]! + this.peekDecimalTail();
      if (this.shortPercentile) {
        this.pos += n.length - pN[1]!.length;
        return this.checkPercentile(Number(n));
      }
      this.fail(`unknown aggregation "p${n}" — did you mean p(${n})? Use ${VALID_AGGREGATIONS}`);
    }
    const lower = word.toLowerCase();
    const hint = (SIMPLE_METHODS as readonly string[]).includes(lower)
      ? ` (did you mean ${lower}? aggregations are lower case)`
      : ALIAS_HINTS[lower]
        ? ` (did you mean ${ALIAS_HINTS[lower]}?)`
        : suggest(lower, SIMPLE_METHODS);
    this.fail(`unknown aggregation "${word}"${hint} — use ${VALID_AGGREGATIONS}`);
  }

  /** `.9` right after a word like `p99`, so `p99.9` reads as one token. */
  private peekDecimalTail(): string {
    const m = /^\.\d+/.exec(this.src.slice(this.pos));
    return m ? m[0] : '';
  }

  private checkPercentile(arg: number): AggregationMethod {
    if (!(arg >= 0 && arg <= 100)) this.fail(`percentile ${arg} is out of range — p(N) takes 0 <= N <= 100, e.g. p(99.9)`);
    return { name: 'p', arg };
  }

  private percentile(): AggregationMethod {
    this.pos++; // "("
    this.ws();
    if (this.src[this.pos] === ')') this.fail('p() needs a percentile between 0 and 100, e.g. p(95) or p(99.9)');
    if (this.atEnd()) this.fail('p( is not closed — write a percentile between 0 and 100, e.g. p(95)');
    const arg = this.number('in p(...)', false);
    this.ws();
    if (this.src[this.pos] !== ')') {
      if (this.atEnd() || /[<>=!]/.test(this.src[this.pos]!)) this.fail(`missing ")" after p(${arg}`);
      this.fail(`expected ")" after p(${arg}, found ${JSON.stringify(this.rest())}`);
    }
    this.pos++;
    return this.checkPercentile(arg);
  }

  operator(method: AggregationMethod): ComparisonOperator {
    const shown = formatMethod(method);
    const op = this.match(OP_CHARS_RE);
    if (op === undefined) {
      if (this.atEnd()) this.fail(`missing the comparison after ${shown} — use ${VALID_OPERATORS}, e.g. "${shown}<500"`);
      this.fail(`expected a comparison operator after ${shown}, found ${JSON.stringify(this.rest())} — use ${VALID_OPERATORS}`);
    }
    if ((OPERATORS as readonly string[]).includes(op)) return op as ComparisonOperator;
    const hint = OPERATOR_HINTS[op];
    this.fail(`unknown operator "${op}"${hint ? ` (did you mean ${hint}?)` : ''} — use ${VALID_OPERATORS}`);
  }

  /** A finite number; `where` completes "missing the number ..." messages. */
  number(where: string, isBound: boolean): number {
    if (this.atEnd()) this.fail(`missing the number ${where}`);
    const text = this.match(NUMBER_RE);
    if (text === undefined) {
      const rest = this.rest();
      if (/^[+-]\s+[\d.]/.test(rest)) this.fail(`no space allowed between "${rest[0]}" and its digits ${where}: write ${rest[0]}${rest.slice(1).trim().split(/[\s)]/)[0]}`);
      const found = /^[^\s()<>=!]+/.exec(rest)?.[0] ?? rest;
      const kind = /^[+-]?(nan|inf)/i.test(found) ? ' (NaN and Infinity are not allowed)' : '';
      this.fail(`expected a number ${where}, found ${JSON.stringify(found)}${kind}${isBound ? ' — compare against a plain number, e.g. "p(95)<500"' : ''}`);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail(`the number ${text} ${where} is out of range`);
    return value;
  }

  /** Something follows the number: name the common mistakes (units, percent) precisely. */
  trailing(value: number): never {
    const rest = this.rest();
    // The unit may be glued to the number (500ms) or separated by spaces (500 ms).
    const unit = DURATION_UNIT_MS[rest];
    if (unit !== undefined) {
      const ms = Number((value * unit).toPrecision(12));
      this.fail(`${this.noun}s take plain numbers, not units: "${rest}" after ${value} — time metrics are in milliseconds, write ${ms}`);
    }
    if (rest === '%') this.fail(`${this.noun}s take plain numbers, not percentages: rates are fractions from 0 to 1, write ${Number((value / 100).toPrecision(12))} for ${value}%`);
    if (/^(k|kb|mb|gb|b|kib|mib|gib)$/i.test(rest)) this.fail(`${this.noun}s take plain numbers, not units: "${rest}" after ${value} — data metrics are in bytes`);
    if (/^[<>=!]/.test(rest)) this.fail(`unexpected ${JSON.stringify(rest)} after ${value}: ${this.noun === 'SLO' ? 'an SLO' : 'a threshold'} has exactly one comparison — write one expression per array entry`);
    this.fail(`unexpected ${JSON.stringify(rest)} after ${value} — ${this.noun === 'SLO' ? 'an SLO' : 'a threshold'} ends with its number, e.g. "p(95)<500"`);
  }
}

/** Compares an observed value with a bound, as thresholds and SLOs do. */
export function compare(observed: number, op: ComparisonOperator, value: number): boolean {
  switch (op) {
    case '<':
      return observed < value;
    case '<=':
      return observed <= value;
    case '>':
      return observed > value;
    case '>=':
      return observed >= value;
    case '==':
    case '===':
      return observed === value;
    case '!=':
      return observed !== value;
  }
}
