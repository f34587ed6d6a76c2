/**
 * The HTTP side of the llm module: one undici Agent for the whole run, requests sent with
 * `dispatch` and a handler (no stream objects on the hot path), every body chunk timestamped with
 * performance.now() the moment undici hands it over, SSE parsed by runtime/llm/sse.ts, JSON events
 * of built-in APIs answered from a per-stream template when they match one (event-template.ts).
 *
 * The client only collects raw facts (times, texts, usage, errors); runtime/llm/result.ts turns
 * them into the metric definitions.
 */
import { Agent, type Dispatcher } from 'undici';
import { SseParser } from './sse.ts';
import { StringDecoder } from 'node:string_decoder';
import type { ApiAdapter, BuiltRequest, ParsedDelta } from './api.ts';
import { onAbort as onAbortHook } from '../abort-hooks.ts';
import { templateFor, type EventTemplate } from './event-template.ts';
import { httpStatusCode, transportErrorCode, type ErrorCode } from './error-codes.ts';
import type { Usage } from './types.ts';

export interface ClientOptions {
  /** max connections per origin: sized to the VU count */
  connections: number;
  connectTimeoutMs: number;
  /** idle time between bytes (headers and body) */
  readTimeoutMs: number;
}

/** The raw observation of one request. Times are performance.now() ms. */
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
}

class TotalTimeout extends Error {
  readonly code = 'TOTAL_TIMEOUT';
}
class Cancelled extends Error {
  readonly code = 'UND_ERR_ABORTED';
}

export class LlmClient {
  readonly agent: Agent;
  private readonly readTimeoutMs: number;

  constructor(opts: ClientOptions) {
    this.readTimeoutMs = opts.readTimeoutMs;
    this.agent = new Agent({
      connections: Math.max(1, opts.connections),
      pipelining: 1,
      connect: { timeout: opts.connectTimeoutMs, noDelay: true },
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: opts.readTimeoutMs,
      bodyTimeout: opts.readTimeoutMs,
    });
  }

  /**
   * Sends one request and resolves when it has ended (successfully or not). Never rejects:
   * failures come back as an errorCode, with every time observed so far.
   */
  send(req: BuiltRequest, api: ApiAdapter, opts: { totalTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<RawExchange> {
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
    };
    return new Promise<RawExchange>((resolve) => {
      let settled = false;
      let controller: Dispatcher.DispatchController | null = null;
      let timer: NodeJS.Timeout | undefined;
      let parser: SseParser | null = null;
      let decoder: StringDecoder | null = null;
      let template: EventTemplate | null = null;
      let isStream = req.stream;
      let errBody = '';
      let bodyParts: string[] = [];
      const textParts: string[] = [];
      const reasoningParts: string[] = [];
      let cancelAbort: (() => void) | undefined;

      const finish = (code: ErrorCode | null, message: string | null) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        cancelAbort?.();
        if (x.tEnd === null) x.tEnd = performance.now();
        x.text = textParts.join('');
        x.reasoning = reasoningParts.join('');
        if (code && !x.errorCode) {
          x.errorCode = code;
          x.errorMessage = message;
        }
        resolve(x);
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

      const onAbort = () => {
        controller?.abort(new Cancelled('request cancelled: the run is stopping'));
        finish('ABORTED', 'request cancelled: the run is stopping');
      };
      if (opts.signal) {
        if (opts.signal.aborted) {
          x.t0 = performance.now();
          finish('ABORTED', 'request cancelled before it was sent: the run is stopping');
          return;
        }
        cancelAbort = onAbortHook(opts.signal, onAbort);
      }

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
          if (statusCode < 400 && isStream && !ct.includes('text/event-stream')) isStream = false; // server ignored stream: parse as one body
          if (statusCode < 400 && isStream) {
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
        this.agent.dispatch(
          {
            origin: url.origin,
            path: url.path,
            method: req.method,
            headers: req.headers,
            body: req.method === 'GET' ? null : req.body,
            headersTimeout: this.readTimeoutMs,
            bodyTimeout: this.readTimeoutMs,
          },
          handler,
        );
      } catch (e) {
        finish('REQUEST_ERROR', (e as Error).message);
      }
    });
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
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
