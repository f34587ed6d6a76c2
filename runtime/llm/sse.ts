/**
 * Server-sent events, parsed for the request path (WHATWG HTML, "Parsing an event stream").
 *
 * Same contract as eventsource-parser, which it replaces on the hot path: `feed(text, t)` with the
 * decoded body as it arrives and the time its bytes arrived, `onEvent({ data, event, id }, t)` on each
 * blank line that ends an event with data, `t` being the arrival time of the chunk that completed
 * the event (the time travels with the event: no shared "current time" between parser and client), `onError(message)` for a line that is not SSE (an unknown field name such as
 * `dat: …`, a `retry` that is not a number): llmperf fails such a request as BAD_SSE instead of
 * ignoring the line as a browser would, because a benchmark should not quietly measure a broken
 * stream. An event still open when the body ends is dropped (the caller reports the stream as
 * incomplete). A leading byte order mark is skipped; lines end with LF, CRLF or CR.
 *
 * Why not eventsource-parser: it slices every line into a new string and builds each event through
 * several calls; here the common shape (LF line ends, one `data:` line per event) costs one
 * indexOf and one slice per line, with everything else on a general path.
 *
 * Bounds: a line still open is kept as a list of the chunks that carry it (joined once, when its
 * end arrives: a long line costs time and memory in proportion to its length, never to its square),
 * and neither a line nor an event's data may exceed `maxLineChars` (default MAX_LINE_CHARS): past
 * it, `onOverflow(message)` is called once and the parser ignores the rest of the body. A server
 * that never ends its line (a body with no newline at all) then fails fast instead of growing the
 * client's memory without bound.
 */

/** The longest SSE line or event data accepted, in characters (16 Mi: an OpenAI event is < 1 KB; 1 MB events work). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;
/** An open line this long is kept in pieces (shorter ones are joined to each chunk, as usual). */
const LONG_LINE = 64 * 1024;

export interface SseEvent {
  data: string;
  /** the `event:` field, undefined when the event had none */
  event: string | undefined;
  /** the event's `id:` field, undefined when it had none (per event, as eventsource-parser reports it) */
  id: string | undefined;
}

export interface SseHandlers {
  /** `t`: arrival time of the chunk that completed the event (as given to feed) */
  onEvent(e: SseEvent, t: number): void;
  onError(message: string): void;
  /** a line or an event's data grew past the limit (the parser then ignores the rest); default: onError */
  onOverflow?(message: string): void;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

export class SseParser {
  /** an incomplete line carried over to the next chunk */
  private pending = '';
  /** a line that spans more than two chunks: its pieces after `pending`, joined when it ends */
  private parts: string[] | null = null;
  private partsLength = 0;
  private overflowed = false;
  /** the previous chunk ended with CR: a LF starting the next one belongs to it */
  private afterCR = false;
  private started = false;
  private data = '';
  private dataLines = 0;
  private event: string | undefined = undefined;
  private id: string | undefined = undefined;

  /** arrival time of the chunk being parsed */
  private t = 0;

  constructor(
    private readonly h: SseHandlers,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  feed(chunk: string, t = 0): void {
    if (chunk.length === 0 || this.overflowed) return;
    this.t = t;
    let s: string;
    if (this.pending.length < LONG_LINE) {
      s = this.pending.length ? this.pending + chunk : chunk;
    } else {
      // a long open line: keep its pieces until one ends it, joined once (linear in its length)
      if (chunk.indexOf('\n') < 0 && chunk.indexOf('\r') < 0) {
        (this.parts ??= []).push(chunk);
        this.partsLength += chunk.length;
        if (this.pending.length + this.partsLength > this.maxLineChars) this.overflow('a line');
        return;
      }
      s = this.parts ? this.pending + this.parts.join('') + chunk : this.pending + chunk;
      this.parts = null;
      this.partsLength = 0;
    }
    this.pending = '';
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.afterCR) {
      this.afterCR = false;
      if (s.charCodeAt(i) === LF) i++;
    }
    if (s.indexOf('\r', i) < 0) {
      // LF line ends only (the usual case)
      const n = s.length;
      while (i < n) {
        const j = s.indexOf('\n', i);
        if (j < 0) break;
        this.line(s, i, j);
        i = j + 1;
      }
      if (i < s.length) this.keep(s, i);
      return;
    }
    s = s.slice(i);
    i = 0;
    const n = s.length;
    while (i < n) {
      let j = i;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c === LF || c === CR) break;
        j++;
      }
      if (j >= n) break;
      this.line(s, i, j);
      if (s.charCodeAt(j) === CR) {
        if (j + 1 >= n) {
          this.afterCR = true;
          i = n;
          break;
        }
        if (s.charCodeAt(j + 1) === LF) j++;
      }
      i = j + 1;
    }
    if (i < n) this.keep(s, i);
  }

  /** Carries s[from..] over to the next chunk (an unfinished line). */
  private keep(s: string, from: number): void {
    if (this.overflowed) return;
    if (s.length - from > this.maxLineChars) {
      this.overflow('a line');
      return;
    }
    this.pending = s.slice(from);
  }

  private overflow(what: string): void {
    if (this.overflowed) return;
    this.overflowed = true;
    this.pending = '';
    this.parts = null;
    this.data = '';
    const msg = `${what} of the event stream exceeded ${this.maxLineChars} characters without ending (is the server sending SSE with line ends?)`;
    (this.h.onOverflow ?? this.h.onError).call(this.h, msg);
  }

  /** Forgets a partly received line and event (the body ended). */
  reset(): void {
    this.pending = '';
    this.parts = null;
    this.partsLength = 0;
    this.afterCR = false;
    this.data = '';
    this.dataLines = 0;
    this.event = undefined;
  }

  /** One line, s[from, to), without its terminator. */
  private line(s: string, from: number, to: number): void {
    if (from === to) {
      this.dispatch();
      return;
    }
    const first = s.charCodeAt(from);
    if (first === COLON) return; // comment
    // fast path: "data:" at the start of the line
    if (first === 100 && to - from >= 5 && s.charCodeAt(from + 4) === COLON && s.startsWith('data', from)) {
      let v = from + 5;
      if (v < to && s.charCodeAt(v) === SPACE) v++;
      this.addData(s.slice(v, to));
      return;
    }
    const colon = s.indexOf(':', from);
    let field: string;
    let value: string;
    if (colon < 0 || colon >= to) {
      field = s.slice(from, to);
      value = '';
    } else {
      field = s.slice(from, colon);
      let v = colon + 1;
      if (v < to && s.charCodeAt(v) === SPACE) v++;
      value = s.slice(v, to);
    }
    switch (field) {
      case 'data':
        this.addData(value);
        return;
      case 'event':
        this.event = value;
        return;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        return;
      case 'retry':
        if (!/^\d+$/.test(value)) this.h.onError(`invalid retry value ${JSON.stringify(truncate(value))}`);
        return;
      default:
        this.h.onError(`unknown field ${JSON.stringify(truncate(field))} in line ${JSON.stringify(truncate(s.slice(from, to)))}`);
    }
  }

  private addData(v: string): void {
    this.data = this.dataLines === 0 ? v : `${this.data}\n${v}`;
    this.dataLines++;
    if (this.dataLines > 1 && this.data.length > this.maxLineChars) this.overflow("an event's data");
  }

  /** A blank line: the event's data, name and id go out, if it had data, and are reset either way. */
  private dispatch(): void {
    if (this.overflowed) return;
    const e: SseEvent | null = this.dataLines > 0 ? { data: this.data, event: this.event || undefined, id: this.id } : null; // an empty event name means the default
    this.data = '';
    this.dataLines = 0;
    this.event = undefined;
    this.id = undefined;
    if (e) this.h.onEvent(e, this.t);
  }
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
