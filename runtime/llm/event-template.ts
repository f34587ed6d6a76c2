/**
 * Exact fast path for streamed JSON events.
 *
 * Within one stream, a server's events differ almost always only in the output string: vLLM's
 * `{"id":"chatcmpl-1",…,"delta":{"content":"<TEXT>"},"logprobs":null,"finish_reason":null}]}`
 * repeats byte for byte around <TEXT>. Parsing every event with JSON.parse was the largest cost
 * on the client's request path (issue #7), so a stream learns a template from one parsed event:
 * the text before the output string's literal (P), the text after it (S), and the adapter's parse
 * result without the output. An event that starts with P, ends with S and has a single valid JSON
 * string literal L in between is the template's document with another string in the same place,
 * so its parse result is the template's with the output replaced by L's value: the same answer
 * JSON.parse would give, without building the object tree.
 *
 * The template is verified before use: the adapter parses P + "<probe>" + S, and the result must
 * be the original one with only the output replaced by the probe (so the literal found really is
 * the output field, and the adapter passes it through). Any event that does not match is parsed
 * the normal way (and may teach a new template); a stream whose events never repeat (per-event
 * usage counters, changing ids) stops trying after a few attempts.
 *
 * Only adapters whose parseEvent is a pure function of (data, event) that passes the output string
 * through may use this: the built-in openai and dashscope adapters. Template answers leave out the
 * response id (`id`): the exchange reads it from the stream's first event, which is always parsed.
 */
import type { ApiAdapter, ParsedDelta } from './api.ts';

/** Learning attempts (each costs one extra parse) without a template hit in between before a stream gives up. */
const MAX_LEARN = 6;
const PROBE = 'llmperf-template-probe';

type OutputField = 'content' | 'reasoning';

const SAFE = new WeakSet<ApiAdapter>();

/** Marks an adapter whose parseEvent is pure and passes the output string through (built-ins only). */
export function markTemplateSafe<T extends ApiAdapter>(api: T): T {
  SAFE.add(api);
  return api;
}

/** A per-stream template for this adapter, or null when the adapter is not marked safe. */
export function templateFor(api: ApiAdapter): EventTemplate | null {
  return SAFE.has(api) ? new EventTemplate(api) : null;
}

export class EventTemplate {
  private prefix = '';
  private suffix = '';
  private field: OutputField = 'content';
  /** the template's parse result without the output field */
  private rest: ParsedDelta | null = null;
  private restEmpty = false;
  private event: string | undefined;
  private learnsLeft = MAX_LEARN;
  /** events answered from the template (tests and diagnostics) */
  hits = 0;

  constructor(private readonly api: ApiAdapter) {}

  /** api.parseEvent(data, event), from the template when the event matches it. Throws like parseEvent. */
  parse(data: string, event: string | undefined): ParsedDelta {
    const rest = this.rest;
    if (rest !== null && event === this.event) {
      const p = this.prefix;
      const s = this.suffix;
      const n = data.length;
      // slice + === (memcmp on the flat text) is several times faster in V8 than startsWith/endsWith
      if (n >= p.length + s.length + 2 && data.slice(0, p.length) === p && data.slice(n - s.length) === s) {
        const v = literalValue(data, p.length, n - s.length);
        if (v !== undefined) {
          this.hits++;
          this.learnsLeft = MAX_LEARN; // a template that answers events is worth relearning after a change
          if (v === '') return rest;
          if (this.restEmpty) return this.field === 'content' ? { content: v } : { reasoning: v };
          const d: ParsedDelta = { ...rest };
          d[this.field] = v;
          return d;
        }
      }
    }
    const d = this.api.parseEvent(data, event);
    if (this.learnsLeft > 0 && (d.content || d.reasoning)) this.learn(data, event, d);
    return d;
  }

  private learn(data: string, event: string | undefined, d: ParsedDelta): void {
    this.learnsLeft--;
    if (d.others) return; // an event with several choices: never a template
    const field: OutputField = d.content ? 'content' : 'reasoning';
    const value = d[field]!;
    const lit = JSON.stringify(value);
    const at = data.lastIndexOf(lit);
    if (at < 0) return; // the server escapes differently from JSON.stringify (e.g. \u00e9): try a later event
    const prefix = data.slice(0, at);
    const suffix = data.slice(at + lit.length);
    let probe: ParsedDelta;
    try {
      probe = this.api.parseEvent(`${prefix}"${PROBE}"${suffix}`, event);
    } catch {
      return;
    }
    if (probe[field] !== PROBE || !sameExcept(d, probe, field)) return;
    const rest: ParsedDelta = { ...d };
    delete rest[field];
    // the response id is read from a stream's first event (always parsed, to learn from); answering
    // it again from every matching event would only cost an object copy per event
    delete rest.id;
    this.prefix = prefix;
    this.suffix = suffix;
    this.field = field;
    this.rest = rest;
    this.restEmpty = Object.keys(rest).length === 0;
    this.event = event;
  }
}

/**
 * The value of the JSON string literal data[from, to), or undefined when that text is not exactly
 * one valid string literal.
 */
export function literalValue(data: string, from: number, to: number): string | undefined {
  if (to - from < 2 || data.charCodeAt(from) !== 34 || data.charCodeAt(to - 1) !== 34) return undefined;
  for (let i = from + 1; i < to - 1; i++) {
    const c = data.charCodeAt(i);
    if (c === 34 || c === 92 || c < 32) return escapedLiteral(data.slice(from, to));
  }
  return data.slice(from + 1, to - 1);
}

function escapedLiteral(lit: string): string | undefined {
  try {
    const v: unknown = JSON.parse(lit);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

const KEYS: Array<keyof ParsedDelta> = ['content', 'reasoning', 'tokens', 'finishReason', 'error', 'done', 'id', 'index'];

function sameExcept(a: ParsedDelta, b: ParsedDelta, field: OutputField): boolean {
  for (const k of KEYS) if (k !== field && a[k] !== b[k]) return false;
  if (Object.keys(a).length !== Object.keys(b).length) return false;
  return JSON.stringify(a.usage) === JSON.stringify(b.usage);
}
