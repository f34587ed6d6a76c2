/**
 * One HTTP exchange, timed: the code that runs on an I/O thread (runtime/llm/io/worker.ts), or on
 * the main thread with --io-threads 0. The request is written with undici's `dispatch` and a
 * handler (no stream objects on the hot path); every body chunk is timestamped with
 * performance.now() the moment undici hands it over, and that time travels with the SSE events the
 * chunk completes (runtime/llm/sse.ts); JSON events of built-in APIs are answered from a per-stream
 * template when they match one (event-template.ts).
 *
 * It only collects raw facts (times, texts, usage, errors) into a RawExchange; runtime/llm/result.ts
 * turns them into the metric definitions, on the main thread. Nothing here waits for anything but
 * the socket: the thread that runs it timestamps the bytes of every other request too.
 */
import type { Dispatcher } from 'undici';
import { StringDecoder } from 'node:string_decoder';
import type { ApiAdapter, BuiltRequest, ParsedDelta } from './api.ts';
import { templateFor, type EventTemplate } from './event-template.ts';
import { httpStatusCode, transportErrorCode, type ErrorCode } from './error-codes.ts';
import { SseParser } from './sse.ts';
import type { Usage } from './types.ts';

/** The raw observation of one request. Times are performance.now() ms of the thread that ran it. */
export interface RawExchange {
  t0: number;
  tHeaders: number | null;
  /** times of output-bearing events (content, reasoning or tokens) */
  outputTimes: number[];
  /** characters carried by each output-bearing event (to spread tokens) */
  outputChars: number[];
  /** explicit token counts per output event when the API gives them (else empty) */
  outputTokens: number[];
  tEnd: number | null;
  status: number;
  text: string;
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
  };
  let settled = false;
  let controller: Dispatcher.DispatchController | null = null;
  let timer: NodeJS.Timeout | undefined;
  let parser: SseParser | null = null;
  let decoder: StringDecoder | null = null;
  let template: EventTemplate | null = null;
  const isStream = req.stream;
  let errBody = '';
  let bodyParts: string[] = [];
  const textParts: string[] = [];
  const reasoningParts: string[] = [];

  const finish = (code: ErrorCode | null, message: string | null) => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    if (x.tEnd === null) x.tEnd = performance.now();
    x.text = textParts.join('');
    x.reasoning = reasoningParts.join('');
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

  const apply = (d: ParsedDelta, t: number) => {
    if (d.error !== undefined) {
      fail('SERVER_ERROR', d.error);
      return;
    }
    const hasOutput = !!(d.content || d.reasoning || (d.tokens && d.tokens > 0));
    if (hasOutput) {
      x.outputTimes.push(t);
      x.outputChars.push((d.content?.length ?? 0) + (d.reasoning?.length ?? 0));
      if (d.tokens !== undefined) x.outputTokens.push(d.tokens);
      if (d.content) textParts.push(d.content);
      if (d.reasoning) reasoningParts.push(d.reasoning);
    }
    if (d.usage) x.usage = d.usage;
    if (d.finishReason) x.finishReason = d.finishReason;
    if (d.done) x.done = true;
    if (d.id !== undefined && x.responseId === null) x.responseId = d.id;
  };

  const onEvent = (ev: { data: string; event?: string | undefined }, t: number) => {
    if (settled) return;
    let d: ParsedDelta;
    try {
      d = template ? template.parse(ev.data, ev.event) : api.parseEvent(ev.data, ev.event);
    } catch (e) {
      fail('BAD_JSON', `invalid JSON in a data event: ${truncate(ev.data, 120)} (${(e as Error).message})`);
      return;
    }
    apply(d, t);
  };

  let streaming = isStream;
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (settled) c.abort(new Cancelled('cancelled'));
    },
    onResponseStart(_c, statusCode, headers) {
      if (settled) return;
      x.tHeaders = performance.now();
      x.status = statusCode;
      const ct = String(headers['content-type'] ?? '');
      if (statusCode < 400 && streaming && !ct.includes('text/event-stream')) streaming = false; // server ignored stream: parse as one body
      if (statusCode < 400 && streaming) {
        decoder = new StringDecoder('utf8');
        template = templateFor(api);
        parser = new SseParser({
          onEvent,
          onError: (message) => {
            if (!settled) fail('BAD_SSE', `invalid SSE: ${message}`);
          },
        });
      }
    },
    onResponseData(_c, chunk) {
      if (settled) return;
      const now = performance.now();
      x.bytesReceived += chunk.length;
      if (x.status >= 400) {
        if (errBody.length < 2000) errBody += chunk.toString('utf8');
      } else if (parser) {
        parser.feed(decoder!.write(chunk), now);
      } else {
        bodyParts.push(chunk.toString('utf8'));
      }
    },
    onResponseEnd() {
      if (settled) return;
      const t = performance.now();
      x.tEnd = t;
      if (x.status >= 400) {
        finish(httpStatusCode(x.status), `HTTP ${x.status}: ${truncate(errorText(errBody), 300)}`);
        return;
      }
      if (parser) {
        parser.feed(decoder!.end(), t);
        if (settled) return;
        if (!x.done && !api.completeWithoutDone?.(x.finishReason !== null)) {
          finish('STREAM_INCOMPLETE', `the stream ended without ${api.name === 'openai' ? 'data: [DONE]' : 'its final event'} after ${x.outputTimes.length} output events`);
          return;
        }
        finish(null, null);
        return;
      }
      const body = bodyParts.join('');
      bodyParts = [];
      let d: ParsedDelta;
      try {
        d = api.parseBody(body);
      } catch (e) {
        finish('BAD_JSON', `the response body is not valid JSON: ${truncate(body, 120)} (${(e as Error).message})`);
        return;
      }
      apply(d, t);
      finish(null, null);
    },
    onResponseError(_c, err) {
      if (settled) return;
      const code: ErrorCode = err instanceof TotalTimeout ? 'TOTAL_TIMEOUT' : transportErrorCode(err);
      finish(code, describeTransportError(code, err, req.url));
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
