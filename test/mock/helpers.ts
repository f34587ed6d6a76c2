/** Test helpers for the mock server suites: a real HTTP client (undici) that timestamps SSE events. */
import { Agent, request } from 'undici';

export const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });

export interface SseEvent {
  /** ms since just before the request was sent */
  t: number;
  /** the raw event text (lines without the blank separator) */
  raw: string;
  /** the data field, joined; undefined when the event has none */
  data?: string;
  json?: any;
}

export interface SseResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  /** set when the body failed mid-way (e.g. a connection reset) */
  error?: Error;
  /** ms from request start to the end of the body (or the error) */
  end: number;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return request(url, {
    method: 'POST', dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** POSTs and reads the response as SSE, timestamping each event when its bytes arrive. */
export async function sse(url: string, body: unknown, headers: Record<string, string> = {}): Promise<SseResult> {
  const t0 = performance.now();
  const res = await post(url, body, headers);
  const events: SseEvent[] = [];
  let buf = '';
  let error: Error | undefined;
  try {
    for await (const chunk of res.body) {
      const t = performance.now() - t0;
      buf += (chunk as Buffer).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const raw = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const dataLines = raw.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
        const ev: SseEvent = { t, raw };
        if (dataLines.length) {
          ev.data = dataLines.join('\n');
          try { ev.json = JSON.parse(ev.data); } catch { /* not JSON: [DONE] or a malformed event */ }
        }
        events.push(ev);
      }
    }
  } catch (e) {
    error = e as Error;
  }
  return { status: res.statusCode, headers: res.headers, events, end: performance.now() - t0, ...(error ? { error } : {}) };
}

/** POSTs and reads the whole body as JSON (or text when it is not JSON). */
export async function json(url: string, body: unknown, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  const res = await post(url, body, headers);
  let text = '';
  let error: Error | undefined;
  try { text = await res.body.text(); } catch (e) { error = e as Error; }
  let parsed: any;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.statusCode, headers: res.headers, text, json: parsed, end: performance.now() - t0, error };
}

export async function get(url: string) {
  const res = await request(url, { dispatcher: agent });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text), text };
}

/** Content-bearing OpenAI chunks (chat delta.content or completions text, non-empty). */
export function contentEvents(r: SseResult): SseEvent[] {
  return r.events.filter((e) => {
    const c = e.json?.choices?.[0];
    if (!c) return false;
    const s = c.delta?.content ?? c.text;
    return typeof s === 'string' && s.length > 0;
  });
}

export function contentText(r: SseResult): string {
  return contentEvents(r).map((e) => e.json.choices[0].delta?.content ?? e.json.choices[0].text).join('');
}

export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'test-model', messages: [{ role: 'user', content: 'Say something, please.' }], stream: true, ...extra,
});
