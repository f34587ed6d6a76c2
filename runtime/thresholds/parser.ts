/**
 * Threshold expressions: k6's grammar, parsed into a small AST.
 *
 * ```
 * expression   := ws* aggregation ws* operator ws* number ws*
 * aggregation  := "avg" | "min" | "max" | "med" | "sum" | "count" | "rate" | "value"
 *               | "p" ws* "(" ws* number ws* ")"          -- percentile, 0 <= N <= 100, may be fractional
 * operator     := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="
 * number       := ["+" | "-"] (digit+ ["." digit*] | "." digit+) [("e" | "E") ["+" | "-"] digit+]
 * ws           := any whitespace (spaces, tabs, newlines)
 * ```
 *
 * Examples: `p(95)<500`, `p(99.9) <= 1200`, `avg < 200`, `rate<0.01`, `count>=100`, `value==0`,
 * `max != -1`, `count===5`.
 *
 * Follows k6 (metrics/thresholds_parser.go):
 * - Keywords are case-sensitive (`AVG` is an error, with a "did you mean avg?" hint).
 * - `===` is accepted and compares like `==` (values are plain numbers; the AST keeps `===` as written).
 * - The number is a plain number in the metric's own unit (milliseconds for time trends, bytes for
 *   data counters, a fraction 0..1 for rates). Units and percent signs (`500ms`, `1s`, `1%`) are
 *   rejected, as in k6, with a message giving the number to write instead.
 * - NaN and Infinity are not numbers here (k6's ParseFloat would take `Inf`; no threshold needs it).
 * - Which aggregations fit which metric type is not the grammar's business: `compileThresholds`
 *   checks it against METHODS_BY_TYPE (`rate` on a trend is a config error there, not here).
 * - `sum` (trends only) is an llmperf addition to k6's set; k6 has no `sum` threshold.
 *
 * Tokens are atomic: whitespace may surround any token (`p ( 95 ) < 500`) but not split one
 * (`< =`, `- 5` and `5 00` are errors).
 */
import { ConfigError } from '../errors.ts';
import { suggest } from '../metrics/registry.ts';
import type { AggregationMethod } from '../metrics/types.ts';

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=' | '===';

export interface ThresholdExpression {
  /** The expression exactly as written. */
  source: string;
  method: AggregationMethod;
  /** As written; `===` compares exactly like `==`. */
  op: ThresholdOperator;
  value: number;
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
const OPERATORS: readonly ThresholdOperator[] = ['<', '<=', '>', '>=', '==', '===', '!='];
const VALID_OPERATORS = '<, <=, >, >=, == or != (=== is accepted as ==)';
/** Operators people write by habit from other languages, and what to write instead. */
const OPERATOR_HINTS: Record<string, string> = { '=': '==', '=>': '>=', '=<': '<=', '<>': '!=', '!==': '!=', '=!': '!=', '=>=': '>=' };
/** Names from other tools, and ours. */
const ALIAS_HINTS: Record<string, string> = { mean: 'avg', average: 'avg', median: 'med', last: 'value', total: 'count or sum', minimum: 'min', maximum: 'max' };
const NUMBER_RE = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const OP_CHARS_RE = /[<>=!]+/y;
const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `p(95)`, `avg`: how an aggregation is written (and shown in summaries, as k6 does). */
export function formatMethod(m: AggregationMethod): string {
  return m.name === 'p' ? `p(${m.arg})` : m.name;
}

/** Parses one threshold expression; throws ThresholdSyntaxError (a ConfigError) on malformed input. */
export function parseExpression(src: string): ThresholdExpression {
  return new Parser(src).parse();
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): ThresholdExpression {
    if (typeof this.src !== 'string') throw new ThresholdSyntaxError(String(this.src), 'a threshold must be a string such as "p(95)<500"');
    this.ws();
    if (this.pos >= this.src.length) this.fail('empty threshold — write <aggregation> <operator> <number>, e.g. "p(95)<500" or "rate<0.01"');
    const method = this.aggregation();
    this.ws();
    const op = this.operator(method);
    this.ws();
    const value = this.number(`after "${op}"`, true);
    this.ws();
    if (this.pos < this.src.length) this.trailing(value);
    return { source: this.src, method, op, value };
  }

  private fail(reason: string): never {
    throw new ThresholdSyntaxError(this.src, reason);
  }

  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
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

  private aggregation(): AggregationMethod {
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
      this.fail(`unknown aggregation "p${n}" — did you mean p(${n})? Use ${VALID_AGGREGATIONS}`);
    }
    const lower = word.toLowerCase();
    const hint = (SIMPLE_METHODS as readonly string[]).includes(lower)
      ? ` (did you mean ${lower}? aggregations are lower case)`
      : ALIAS_HINTS[lower]
        ? ` (did you mean ${ALIAS_HINTS[lower]}?)`
        : suggest(lower, [...SIMPLE_METHODS]);
    this.fail(`unknown aggregation "${word}"${hint} — use ${VALID_AGGREGATIONS}`);
  }

  /** `.9` right after a word like `p99`, so `p99.9` reports as one token. */
  private peekDecimalTail(): string {
    const m = /^\.\d+/.exec(this.src.slice(this.pos));
    return m ? m[0] : '';
  }

  private percentile(): AggregationMethod {
    this.pos++; // "("
    this.ws();
    if (this.src[this.pos] === ')') this.fail('p() needs a percentile between 0 and 100, e.g. p(95) or p(99.9)');
    if (this.pos >= this.src.length) this.fail('p( is not closed — write a percentile between 0 and 100, e.g. p(95)');
    const arg = this.number('in p(...)', false);
    this.ws();
    if (this.src[this.pos] !== ')') {
      if (this.pos >= this.src.length || /[<>=!]/.test(this.src[this.pos]!)) this.fail(`missing ")" after p(${arg}`);
      this.fail(`expected ")" after p(${arg}, found ${JSON.stringify(this.rest())}`);
    }
    this.pos++;
    if (arg < 0 || arg > 100) this.fail(`percentile ${arg} is out of range — p(N) takes 0 <= N <= 100, e.g. p(99.9)`);
    return { name: 'p', arg };
  }

  private operator(method: AggregationMethod): ThresholdOperator {
    const shown = formatMethod(method);
    const op = this.match(OP_CHARS_RE);
    if (op === undefined) {
      if (this.pos >= this.src.length) this.fail(`missing the comparison after ${shown} — use ${VALID_OPERATORS}, e.g. "${shown}<500"`);
      this.fail(`expected a comparison operator after ${shown}, found ${JSON.stringify(this.rest())} — use ${VALID_OPERATORS}`);
    }
    if ((OPERATORS as readonly string[]).includes(op)) return op as ThresholdOperator;
    const hint = OPERATOR_HINTS[op];
    this.fail(`unknown operator "${op}"${hint ? ` (did you mean ${hint}?)` : ''} — use ${VALID_OPERATORS}`);
  }

  /** A finite number; `where` completes "missing the number ..." messages. */
  private number(where: string, isThreshold: boolean): number {
    if (this.pos >= this.src.length) this.fail(`missing the number ${where}`);
    const text = this.match(NUMBER_RE);
    if (text === undefined) {
      const rest = this.rest();
      if (/^[+-]\s+[\d.]/.test(rest)) this.fail(`no space allowed between "${rest[0]}" and its digits ${where}: write ${rest[0]}${rest.slice(1).trim().split(/[\s)]/)[0]}`);
      const found = /^[^\s()<>=!]+/.exec(rest)?.[0] ?? rest;
      const kind = /^[+-]?(nan|inf)/i.test(found) ? ' (NaN and Infinity are not allowed)' : '';
      this.fail(`expected a number ${where}, found ${JSON.stringify(found)}${kind}${isThreshold ? ' — thresholds compare against a plain number, e.g. "p(95)<500"' : ''}`);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail(`the number ${text} ${where} is out of range`);
    return value;
  }

  /** Something follows the number: name the common mistakes (units, percent) precisely. */
  private trailing(value: number): never {
    const rest = this.rest();
    // The unit may be glued to the number (500ms) or separated by spaces (500 ms).
    const unit = DURATION_UNIT_MS[rest];
    if (unit !== undefined) {
      const ms = Number((value * unit).toPrecision(12));
      this.fail(`thresholds take plain numbers, not units: "${rest}" after ${value} — time metrics are in milliseconds, write ${ms}`);
    }
    if (rest === '%') this.fail(`thresholds take plain numbers, not percentages: rates are fractions from 0 to 1, write ${Number((value / 100).toPrecision(12))} for ${value}%`);
    if (/^(k|kb|mb|gb|b|kib|mib|gib)$/i.test(rest)) this.fail(`thresholds take plain numbers, not units: "${rest}" after ${value} — data metrics are in bytes`);
    if (/^[<>=!]/.test(rest)) this.fail(`unexpected ${JSON.stringify(rest)} after ${value}: a threshold has exactly one comparison — write one expression per array entry`);
    this.fail(`unexpected ${JSON.stringify(rest)} after ${value} — a threshold ends with its number, e.g. "p(95)<500"`);
  }
}
