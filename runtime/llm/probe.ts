/**
 * The start-up connection test (skip it with --no-test-connection).
 *
 * probeEndpoint(): evalscope perf's test, made to tell the user what is wrong. It sends a real
 * request built with the run's API adapter ("hello", a few output tokens) to the run's URL:
 *  - a 2xx answer (its first body bytes, or its end) passes; the rest of the answer is not awaited
 *  - a 4xx answer stops at once (a wrong path, model or key never gets better): TargetUnreachable
 *    (exit 100) with the status, the server's message and what to check
 *  - a refused, reset or timed-out connection, an unresolvable host or a 5xx answer means the server
 *    is not up yet: it is retried (1 s, then up to every 10 s, as evalscope's 10 s) with one progress
 *    line per attempt until `totalTimeoutMs` (--total-timeout) has passed, then TargetUnreachable
 *  - a server that accepts the request and stays silent for `answerTimeoutMs` is TargetUnreachable at
 *    once (a progress line every 10 s while it waits)
 */
import { Agent, agentRequest } from './agent.ts';
import { LlmperfError, TargetUnreachable } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { ApiAdapter, Endpoint } from './api.ts';
import { transportErrorCode } from './error-codes.ts';
import { sleepFor } from '../abort-hooks.ts';

export interface ProbeOptions {
  /** the URL the run sends to (full endpoint URL, or a base URL the adapter completes) */
  url: string;
  adapter: ApiAdapter;
  /** chat (messages) or completions (prompt); default chat */
  endpoint?: Endpoint;
  model: string;
  headers?: Record<string, string>;
  apiKey?: string;
  connectTimeoutMs: number;
  /** longest wait for the answer of one attempt, once connected */
  answerTimeoutMs: number;
  /** keep retrying a server that is not up yet until this much time has passed */
  totalTimeoutMs: number;
  /** longest pause between attempts (default 10 s, evalscope's) */
  maxRetryIntervalMs?: number;
  /** what to send besides the prompt (default { max_tokens: 16, stream: true }) */
  params?: Record<string, unknown>;
  /**
   * A 4xx answer: 'fail' (perf, as evalscope: exit 100) or 'warn' (run: a script may send other
   * requests than this one, so say what failed and go on). Default 'fail'.
   */
  onClientError?: 'fail' | 'warn';
  /** the flag named when giving up after retries (default --total-timeout) */
  retryFlag?: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** accept any TLS certificate (insecureSkipTLSVerify) */
  insecureSkipTLSVerify?: boolean;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; why: string };

const origin = (u: string): string => {
  try {
    return new URL(u).origin;
  } catch {
    return u;
  }
};


function serverMessage(body: string): string {
  const text = body.trim();
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string; message?: string; detail?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? (typeof j.detail === 'string' ? j.detail : undefined));
    if (m) return m.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

function adviceFor(status: number): string {
  if (status === 401 || status === 403) return 'check --api-key (and --headers)';
  if (status === 404 || status === 405) return 'check --url: give the full endpoint path (e.g. http://host:8000/v1/chat/completions) and --api';
  if (status === 400 || status === 422) return 'check --model, --api and the request parameters (--query-template, --extra-args)';
  return 'check --url, --api, --model and --api-key';
}

async function attempt(o: ProbeOptions, built: { url: string; method: 'POST' | 'GET'; headers: Record<string, string>; body: string }): Promise<Attempt> {
  const agent = new Agent({ connect: { timeout: o.connectTimeoutMs, ...(o.insecureSkipTLSVerify ? { rejectUnauthorized: false } : {}) }, headersTimeout: o.answerTimeoutMs, bodyTimeout: o.answerTimeoutMs });
  const started = Date.now();
  const ticker = setInterval(() => {
    o.log(`connection test: no answer yet from ${origin(built.url)} after ${Math.round((Date.now() - started) / 1000)} s (giving up after ${Math.round(o.answerTimeoutMs / 1000)} s)`);
  }, 10_000);
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const u = new URL(built.url);
    const res = await agentRequest(agent, { origin: u.origin, path: u.pathname + u.search, method: built.method, headers: built.headers, body: built.method === 'GET' ? null : built.body, signal: ac.signal });
    if (res.statusCode >= 200 && res.statusCode < 300) {
      // the first bytes of the answer are proof enough; don't make the server finish it
      for await (const _chunk of res.body) break;
      return { ok: true };
    }
    let body = '';
    for await (const chunk of res.body) {
      body += String(chunk);
      if (body.length > 4000) break;
    }
    const why = `HTTP ${res.statusCode}${body.trim() ? `: ${serverMessage(body)}` : ''}`;
    if (res.statusCode >= 400 && res.statusCode < 500) return { ok: false, retry: false, why: `${why} (${adviceFor(res.statusCode)})` };
    return { ok: false, retry: true, why };
  } catch (e) {
    if (o.signal?.aborted) return { ok: false, retry: false, why: 'interrupted' };
    const code = transportErrorCode(e);
    switch (code) {
      case 'READ_TIMEOUT':
        return {
          ok: false,
          retry: false,
          why: `the server accepted the connection but sent no answer within ${Math.round(o.answerTimeoutMs / 1000)} s: is it overloaded or stuck, or is --url pointing at something other than an LLM server?`,
        };
      case 'CONN_REFUSED':
        return { ok: false, retry: true, why: 'connection refused (is the server running and listening there?)' };
      case 'DNS':
        return { ok: false, retry: true, why: 'the host name does not resolve' };
      case 'CONNECT_TIMEOUT':
        return { ok: false, retry: true, why: `no connection within ${Math.round(o.connectTimeoutMs / 1000)} s (--connect-timeout)` };
      default:
        return { ok: false, retry: true, why: `${(e as { code?: string }).code ?? code}: ${(e as Error).message}` };
    }
  } finally {
    clearInterval(ticker);
    o.signal?.removeEventListener('abort', onAbort);
    await agent.destroy().catch(() => undefined);
  }
}

/** evalscope's connection test (see the file comment); resolves when the server answered a real request. */
export async function probeEndpoint(o: ProbeOptions): Promise<void> {
  const endpoint: Endpoint = o.endpoint ?? 'chat';
  const prompt = endpoint === 'chat' ? { messages: [{ role: 'user', content: 'hello' }] } : { prompt: 'hello' };
  const built = o.adapter.build(endpoint, { ...prompt, max_tokens: 16, stream: true, ...(o.params ?? {}) }, {
    baseUrl: o.url,
    model: o.model,
    ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
    headers: o.headers ?? {},
    includeUsage: false,
  });
  const start = Date.now();
  const maxPause = o.maxRetryIntervalMs ?? 10_000;
  let pause = Math.min(1000, maxPause);
  const skip = 'skip this test with --no-test-connection';
  for (let n = 1; ; n++) {
    const r = await attempt(o, built);
    if (r.ok) return;
    if (o.signal?.aborted) throw new LlmperfError('INTERRUPTED', 'interrupted during the connection test', ExitCode.INTERRUPTED);
    const where = `${origin(built.url)} (${built.method} ${built.url})`;
    if (!r.retry) {
      if (r.why.startsWith('HTTP 4') && o.onClientError === 'warn') {
        o.log(`WARN connection test: ${where} answered ${r.why}: requests like it will fail`);
        return;
      }
      throw new TargetUnreachable(`connection test failed: ${where}${r.why.startsWith('HTTP') ? ' answered ' : ': '}${r.why}; ${skip}`);
    }
    const elapsed = Date.now() - start;
    if (elapsed + pause > o.totalTimeoutMs) {
      const gaveUp = o.totalTimeoutMs > 0 ? `; gave up after ${Math.round(elapsed / 1000)} s and ${n} attempt${n === 1 ? '' : 's'} (${o.retryFlag ?? '--total-timeout'} ${Math.round(o.totalTimeoutMs / 1000)} s)` : '';
      throw new TargetUnreachable(`cannot reach ${where}: ${r.why}${gaveUp}; ${skip}`);
    }
    o.log(`connection test: ${where}: ${r.why}; retrying in ${Math.round(pause / 1000)} s (attempt ${n}, ${Math.round(elapsed / 1000)} s of --total-timeout ${Math.round(o.totalTimeoutMs / 1000)} s)`);
    await sleepFor(pause, o.signal);
    if (o.signal?.aborted) throw new LlmperfError('INTERRUPTED', 'interrupted during the connection test', ExitCode.INTERRUPTED);
    pause = Math.min(maxPause, pause * 2);
  }
}
