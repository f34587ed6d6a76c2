/**
 * One HTTP exchange, timed: the code that runs on an I/O thread (runtime/llm/io/worker.ts), or on
 * the main thread with --io-threads 0. The request is written with undici's `dispatch` and a
 * handler (no stream objects on the hot path); every body chunk is timestamped with
 * performance.now() the moment undici hands it over, and that time travels with the SSE events the
 * chunk completes (runtime/llm/sse.ts); JSON events of built-in APIs are answered from a per-stream
 * template when they match one (event-template.ts).
 *
 * What the body is, is decided by the body reader (runtime/llm/body.ts): a compressed body
 * (content-encoding gzip, deflate, br) is decoded, each decoded byte keeping the arrival time of its
 * compressed chunk; text/event-stream is read as SSE, and so is a body whose content type says
 * otherwise but whose first characters are SSE (`data:`, `:`...); anything else is one document for
 * the adapter's parseBody. Lines, bodies and error bodies are bounded there. Events of several
 * choices (n > 1) keep their choice. A stream that ends cleanly without its terminator is complete
 * when the adapter says so (every choice sent a finish_reason, for OpenAI). A read timeout under
 * READ_TIMER_BELOW_MS is kept by a timer of its own (undici's idle timers tick once a second).
 *
 * It only collects raw facts (times, texts, usage, errors) into a RawExchange; runtime/llm/result.ts
 * turns them into the metric definitions, on the main thread. Nothing here waits for anything but
 * the socket: the thread that runs it timestamps the bytes of every other request too.
 */
import type { Dispatcher } from 'undici';
import type { ApiAdapter, BuiltRequest, ParsedDelta } from './api.ts';
import { BodyReader } from './body.ts';
import { contentEncoding, mediaType, printable } from './decode.ts';
import { templateFor, type EventTemplate } from './event-template.ts';
import { httpStatusCode, transportErrorCode, type ErrorCode } from './error-codes.ts';
import type { Usage } from './types.ts';

/**
 * Work on received bytes (decoding, SSE framing, event parsing) waits until every socket that was
 * ready in this turn of the event loop has had its bytes timestamped: when 500 streams send their
 * last chunk in the same millisecond, the 500th is stamped when it is read, not after 499 parses.
 * One queue per thread, in arrival order, run in the event loop's check phase (setImmediate).
 */
let deferred: Array<() => void> = [];
let deferredScheduled = false;
function afterStamps(fn: () => void): void {
  deferred.push(fn);
  if (!deferredScheduled) {
    deferredScheduled = true;
    setImmediate(runDeferred);
  }
}
function runDeferred(): void {
  deferredScheduled = false;
  const fns = deferred;
  deferred = [];
  for (const fn of fns) fn();
}

/** Read timeouts shorter than this are kept by a timer of the exchange's own. */
export const READ_TIMER_BELOW_MS = 3000;
/** Choice indexes above this are taken as 0 (a bound on per-choice state). */
const MAX_CHOICES = 1024;

/** The raw observation of one request. Times are performance.now() ms of the thread that ran it. */
export interface RawExchange {
  t0: number;
  tHeaders: number | null;
  /** times of output-bearing events (content, reasoning or tokens), of every choice */
  outputTimes: number[];
  /** characters carried by each output-bearing event (to spread tokens) */
  outputChars: number[];
  /** explicit token counts per output event when the API gives them (else empty) */
  outputTokens: number[];
  tEnd: number | null;
  status: number;
  /** the answer (choice 0's when there are several) */
  text: string;
  /** the reasoning (choice 0's when there are several) */
  reasoning: string;
  usage: Usage | null;
  finishReason: string | null;
  done: boolean;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  bytesSent: number;
  bytesReceived: number;
  /** the server's id of the response (the first event's or the body's `id`) */
  responseId: string | null;
  /** the response's media type (content-type without parameters, lower case); null before headers or without one */
  contentType: string | null;
  /** the body was read as an event stream (by its content type, or by its first characters) */
  sse: boolean;
  /** time of the first event carrying answer text (content, not reasoning) */
  tAnswer: number | null;
  /** the choice of each output event when the response had several choices (n > 1), else null */
  choiceOf: number[] | null;
  /** answer and reasoning per choice when there were several, else null */
  choiceTexts: string[] | null;
  choiceReasoning: string[] | null;
  /** the stream ended cleanly without its terminator ([DONE]) and the adapter accepted it (every choice finished) */
  endedWithoutDone: boolean;
}

export interface ExchangeOptions {
  /** the whole request, ms (0: none) */
  totalTimeoutMs?: number;
  /** idle time between bytes (headers and body), ms */
  readTimeoutMs: number;
}

class TotalTimeout extends Error {
  readonly code = 'TOTAL_TIMEOUT';
}
class Cancelled extends Error {
  readonly code = 'UND_ERR_ABORTED';
}

/** A request in flight: cancel() ends it at once as ABORTED (the run is stopping). */
export interface ExchangeHandle {
  cancel(message?: string): void;
}

/**
 * Sends `req` through `dispatcher` and calls `done` once with the exchange when it has ended,
 * successfully or not (never throws: failures come back as an errorCode, with every time observed
 * so far).
 */
export function exchange(dispatcher: Dispatcher, req: BuiltRequest, api: ApiAdapter, opts: ExchangeOptions, done: (x: RawExchange) => void): ExchangeHandle {
  const url = splitUrl(req.url);
  const x: RawExchange = {
    t0: 0,
    tHeaders: null,
    outputTimes: [],
    outputChars: [],
    outputTokens: [],
    tEnd: null,
    status: 0,
    text: '',
    reasoning: '',
    usage: null,
    finishReason: null,
    done: false,
    errorCode: null,
    errorMessage: null,
    bytesSent: Buffer.byteLength(req.body) + 200,
    bytesReceived: 0,
    responseId: null,
    contentType: null,
    sse: false,
    tAnswer: null,
    choiceOf: null,
    choiceTexts: null,
    choiceReasoning: null,
    endedWithoutDone: false,
  };
  let settled = false;
  let controller: Dispatcher.DispatchController | null = null;
  let timer: NodeJS.Timeout | undefined;
  let idle: NodeJS.Timeout | undefined;
  let body: BodyReader | null = null;
  let encoding: string | null = null;
  /** the per-stream template (undefined until the first event; null for adapters without one) */
  let template: EventTemplate | null | undefined;
  const textParts: string[] = [];
  const reasoningParts: string[] = [];
  /** per choice, once a second choice appears (choice 0's are textParts/reasoningParts) */
  let choices: Array<{ text: string[]; reasoning: string[] }> | null = null;
  let finishedChoices: Set<number> | null = null;

  const finish = (code: ErrorCode | null, message: string | null) => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    if (idle) clearTimeout(idle);
    body?.destroy();
    x.sse = body?.sse ?? false;
    if (x.tEnd === null) x.tEnd = performance.now();
    x.text = textParts.join('');
    x.reasoning = reasoningParts.join('');
    if (choices) {
      x.choiceTexts = choices.map((c) => c.text.join(''));
      x.choiceReasoning = choices.map((c) => c.reasoning.join(''));
    }
    if (code && !x.errorCode) {
      x.errorCode = code;
      x.errorMessage = message;
    }
    done(x);
  };

  const fail = (code: ErrorCode, message: string) => {
    if (!x.errorCode) {
      x.errorCode = code;
      x.errorMessage = message;
    }
    controller?.abort(new Error(message));
    finish(code, message);
  };

  /** A second choice appeared: from here on every output event records its choice. */
  const multi = (): Array<{ text: string[]; reasoning: string[] }> => {
    choices = [{ text: textParts, reasoning: reasoningParts }];
    x.choiceOf = new Array<number>(x.outputTimes.length).fill(0);
    finishedChoices = new Set(x.finishReason !== null ? [0] : []);
    return choices;
  };

  const apply = (d: ParsedDelta, t: number) => {
    if (d.error !== undefined) {
      fail('SERVER_ERROR', d.error);
      return;
    }
    let c = d.index ?? 0;
    if (c !== 0 && !(Number.isInteger(c) && c > 0 && c < MAX_CHOICES)) c = 0;
    const cs = c !== 0 || choices ? (choices ?? multi()) : null;
    const hasOutput = !!(d.content || d.reasoning || (d.tokens && d.tokens > 0));
    if (hasOutput) {
      x.outputTimes.push(t);
      x.outputChars.push((d.content?.length ?? 0) + (d.reasoning?.length ?? 0));
      if (d.tokens !== undefined) x.outputTokens.push(d.tokens);
      if (cs) {
        while (cs.length <= c) cs.push({ text: [], reasoning: [] });
        x.choiceOf!.push(c);
        if (d.content) cs[c]!.text.push(d.content);
        if (d.reasoning) cs[c]!.reasoning.push(d.reasoning);
      } else {
        if (d.content) textParts.push(d.content);
        if (d.reasoning) reasoningParts.push(d.reasoning);
      }
      if (d.content && x.tAnswer === null) x.tAnswer = t;
    }
    if (d.usage) x.usage = d.usage;
    if (d.finishReason) {
      x.finishReason = d.finishReason;
      finishedChoices?.add(c);
    }
    if (d.done) x.done = true;
    if (d.id !== undefined && x.responseId === null) x.responseId = d.id;
    if (d.others) for (const o of d.others) if (!settled) apply(o, t);
  };

  const onEvent = (ev: { data: string; event?: string | undefined }, t: number) => {
    if (settled) return;
    let d: ParsedDelta;
    try {
      if (template === undefined) template = templateFor(api);
      d = template ? template.parse(ev.data, ev.event) : api.parseEvent(ev.data, ev.event);
    } catch (e) {
      fail('BAD_JSON', `invalid JSON in a data event: ${truncate(printable(ev.data), 120)} (${(e as Error).message})`);
      return;
    }
    apply(d, t);
  };

  /** The whole body has arrived (and been decoded) at `t`. */
  const endBody = (t: number) => {
    body!.end(t, (r) => {
      if (r.kind === 'error') {
        finish(httpStatusCode(x.status), `HTTP ${x.status}: ${truncate(printable(errorText(r.text), encoding), 300)}`);
        return;
      }
      if (r.kind === 'sse') {
        if (!x.done) {
          const allFinished = finishedChoices ? finishedChoices.size >= choices!.length : x.finishReason !== null;
          if (!api.completeWithoutDone?.(allFinished)) {
            const end = api.name === 'openai' ? 'data: [DONE]' : 'its final event';
            finish('STREAM_INCOMPLETE', `the stream ended without ${end}${allFinished ? '' : ' and without a finish_reason'} after ${x.outputTimes.length} output events`);
            return;
          }
          x.endedWithoutDone = true;
        }
        finish(null, null);
        return;
      }
      let d: ParsedDelta;
      try {
        d = api.parseBody(r.text);
      } catch (e) {
        finish('BAD_JSON', `the response body is not valid JSON${x.contentType ? ` (content-type: ${x.contentType})` : ''}: ${truncate(printable(r.text, encoding), 120)} (${(e as Error).message})`);
        return;
      }
      apply(d, t);
      finish(null, null);
    });
  };

  const readTimedOut = () => {
    if (!settled) fail('READ_TIMEOUT', `no data from ${url.origin} for longer than the read timeout (${opts.readTimeoutMs} ms, --read-timeout)`);
  };

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (settled) c.abort(new Cancelled('cancelled'));
      else if (opts.readTimeoutMs > 0 && opts.readTimeoutMs < READ_TIMER_BELOW_MS && !idle) idle = setTimeout(readTimedOut, opts.readTimeoutMs);
    },
    onResponseStart(_c, statusCode, headers) {
      if (settled) return;
      x.tHeaders = performance.now();
      idle?.refresh();
      x.status = statusCode;
      x.contentType = mediaType(headers['content-type']);
      const enc = contentEncoding(headers['content-encoding']);
      if (enc !== null && typeof enc === 'object') {
        fail('BAD_ENCODING', `the response has content-encoding: ${truncate(enc.unsupported, 60)}, which llmperf does not decode (it decodes gzip, deflate and br): drop the Accept-Encoding header from --header, or have the server send the body uncompressed`);
        return;
      }
      encoding = enc;
      body = new BodyReader(statusCode, x.contentType, enc, { event: onEvent, fail, settled: () => settled });
    },
    onResponseData(_c, chunk) {
      if (settled) return;
      const now = performance.now();
      x.bytesReceived += chunk.length;
      idle?.refresh();
      const reader = body!;
      afterStamps(() => {
        if (!settled) reader.chunk(chunk, now);
      });
    },
    onResponseEnd() {
      if (settled) return;
      const t = performance.now();
      afterStamps(() => {
        if (settled) return;
        x.tEnd = t;
        endBody(t);
      });
    },
    onResponseError(_c, err) {
      if (settled) return;
      const t = performance.now();
      const code: ErrorCode = err instanceof TotalTimeout ? 'TOTAL_TIMEOUT' : transportErrorCode(err);
      // after the bytes that came before it
      afterStamps(() => {
        if (settled) return;
        if (x.tEnd === null) x.tEnd = t;
        finish(code, describeTransportError(code, err, req.url));
      });
    },
  };

  if (opts.totalTimeoutMs && opts.totalTimeoutMs > 0) {
    const ms = opts.totalTimeoutMs;
    timer = setTimeout(() => {
      const msg = `the request took longer than the total timeout (${ms} ms)`;
      controller?.abort(new TotalTimeout(msg));
      finish('TOTAL_TIMEOUT', msg);
    }, ms);
  }

  x.t0 = performance.now();
  try {
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: url.path,
        method: req.method,
        headers: req.headers,
        body: req.method === 'GET' ? null : req.body,
        headersTimeout: opts.readTimeoutMs,
        bodyTimeout: opts.readTimeoutMs,
      },
      handler,
    );
  } catch (e) {
    finish('REQUEST_ERROR', (e as Error).message);
  }
  return {
    cancel(message = 'request cancelled: the run is stopping') {
      if (settled) return;
      controller?.abort(new Cancelled(message));
      finish('ABORTED', message);
    },
  };
}

/** An exchange that ended before anything was sent (cancelled, unknown API, a failed I/O thread). */
export function failedExchange(code: ErrorCode, message: string, bytesSent = 0): RawExchange {
  const t = performance.now();
  return {
    t0: t, tHeaders: null, outputTimes: [], outputChars: [], outputTokens: [], tEnd: t, status: 0, text: '', reasoning: '', usage: null, finishReason: null, done: false,
    errorCode: code, errorMessage: message, bytesSent, bytesReceived: 0, responseId: null,
    contentType: null, sse: false, tAnswer: null, choiceOf: null, choiceTexts: null, choiceReasoning: null, endedWithoutDone: false,
  };
}

/** An exchange that was cancelled before it was sent. */
export function cancelledExchange(req: BuiltRequest): RawExchange {
  return failedExchange('ABORTED', 'request cancelled before it was sent: the run is stopping', Buffer.byteLength(req.body) + 200);
}

/** origin and path of a request URL; a run sends to a handful of URLs, so they are parsed once. */
const urlParts = new Map<string, { origin: string; path: string }>();
function splitUrl(u: string): { origin: string; path: string } {
  let p = urlParts.get(u);
  if (!p) {
    const url = new URL(u);
    p = { origin: url.origin, path: url.pathname + url.search };
    if (urlParts.size >= 256) urlParts.clear();
    urlParts.set(u, p);
  }
  return p;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}

function errorText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    if (typeof j.error === 'string') return j.error;
    return j.error?.message ?? j.message ?? body;
  } catch {
    return body.trim();
  }
}

function describeTransportError(code: ErrorCode, err: Error, url: string): string {
  const origin = (() => {
    try {
      return new URL(url).origin;
    } catch {
      return url;
    }
  })();
  switch (code) {
    case 'CONN_REFUSED':
      return `connection refused by ${origin}: is the server running and listening there?`;
    case 'CONNECT_TIMEOUT':
      return `connecting to ${origin} timed out (--connect-timeout)`;
    case 'READ_TIMEOUT':
      return `no data from ${origin} for longer than the read timeout (--read-timeout)`;
    case 'DNS':
      return `cannot resolve the host of ${origin}`;
    case 'CONN_RESET':
      return `the connection to ${origin} was reset or closed before the response ended (${err.message})`;
    default:
      return err.message;
  }
}
