/**
 * The benchmark's baseline: a bare undici streaming client, the yardstick every llmperf figure is
 * divided by. N concurrent closed loops for a fixed duration (then the loops finish the request
 * they are in, as llmperf's constant-vus gracefulStop does); each request is one streaming chat
 * completion written with Agent.dispatch. The body is only split on "\n\n" and each event is
 * timestamped (performance.now() when the chunk that completes it arrives, as llmperf does);
 * an event counts as output when it carries a non-empty `"delta":{"content":"...` (the role-only
 * and usage chunks do not). No JSON parsing, no metrics, no isolates.
 *
 *   node --import tsx bench/baseline-client.ts '{"url":"http://127.0.0.1:8000/v1","concurrency":256,"durationMs":10000,"maxTokens":200}'
 *
 * Prints one JSON line (BaselineResult) on stdout. With `recordsFile`, writes one JSON line per
 * request ({rid, startMono, ttft, itl}) there; each request then sends `x-request-id: <ridPrefix><loop>-<iter>`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher } from 'undici';
import { monotonicOffset } from '../runtime/monotonic.ts';

export interface BaselineConfig {
  /** base URL ending in /v1 */
  url: string;
  concurrency: number;
  durationMs: number;
  maxTokens: number;
  /** start loop k (0-based) at rampMs * (k + 1) / concurrency, as llmperf's ramping-vus does; the run lasts rampMs + durationMs */
  rampMs?: number;
  recordsFile?: string;
  /** prefix of the x-request-id header sent with recordsFile (default "b-") */
  ridPrefix?: string;
}

export interface BaselineResult {
  requests: number;
  ok: number;
  failed: number;
  /** output-bearing SSE events seen */
  events: number;
  /** from the first request to the end of the last one */
  durationMs: number;
}

export interface BaselineRecord {
  rid: string;
  /** t0 on CLOCK_MONOTONIC ms */
  startMono: number;
  ttft: number | null;
  itl: number[];
}

const CONTENT = '"delta":{"content":"';

/**
 * The baselines' whole SSE handling: splits `buf` on "\n\n" and calls `onContent` once per complete
 * event that carries a non-empty `"delta":{"content":"…` (not the role-only or usage chunks);
 * returns what is left of `buf` (an incomplete event). No JSON parsing.
 */
export function scanContentEvents(buf: string, onContent: () => void): string {
  let from = 0;
  let at = buf.indexOf(CONTENT);
  for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n', from)) {
    if (at >= 0 && at < from) at = buf.indexOf(CONTENT, from);
    // An output event: the content field starts inside this event and is not empty.
    if (at >= 0 && at < i && buf.charCodeAt(at + CONTENT.length) !== 34 /* " */) onContent();
    from = i + 2;
  }
  return from > 0 ? buf.slice(from) : buf;
}

export async function runBaseline(c: BaselineConfig): Promise<BaselineResult> {
  const u = new URL(c.url.replace(/\/+$/, '') + '/chat/completions');
  const agent = new Agent({ connections: c.concurrency, pipelining: 1, connect: { noDelay: true }, keepAliveTimeout: 60_000 });
  const body = JSON.stringify({
    model: 'mock-llm', messages: [{ role: 'user', content: 'Explain time to first token in one paragraph.' }],
    max_tokens: c.maxTokens, stream: true, stream_options: { include_usage: true },
  });
  const monoOffset = monotonicOffset();
  const records: BaselineRecord[] = [];
  const res: BaselineResult = { requests: 0, ok: 0, failed: 0, events: 0, durationMs: 0 };

  const one = (rid: string | null): Promise<void> => new Promise((resolve) => {
    const times: number[] = [];
    let buf = '';
    let status = 0;
    let t0 = 0;
    const done = (ok: boolean) => {
      res.requests++;
      if (ok) res.ok++;
      else res.failed++;
      res.events += times.length;
      if (rid !== null) {
        const itl: number[] = [];
        for (let i = 1; i < times.length; i++) itl.push(times[i]! - times[i - 1]!);
        records.push({ rid, startMono: t0 + monoOffset, ttft: times.length ? times[0]! - t0 : null, itl });
      }
      resolve();
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode) { status = statusCode; },
      onResponseData(_c, chunk) {
        const now = performance.now();
        buf = scanContentEvents(buf + chunk.toString('utf8'), () => times.push(now));
      },
      onResponseEnd() { done(status === 200); },
      onResponseError() { done(false); },
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (rid !== null) headers['x-request-id'] = rid;
    t0 = performance.now();
    agent.dispatch({ origin: u.origin, path: u.pathname, method: 'POST', headers, body }, handler);
  });

  const start = performance.now();
  const ramp = c.rampMs ?? 0;
  const end = start + ramp + c.durationMs;
  const loop = async (k: number): Promise<void> => {
    if (ramp > 0) await new Promise((r) => setTimeout(r, Math.max(0, start + (ramp * (k + 1)) / c.concurrency - performance.now())));
    for (let iter = 0; performance.now() < end; iter++) await one(c.recordsFile ? `${c.ridPrefix ?? 'b-'}${k}-${iter}` : null);
  };
  await Promise.all(Array.from({ length: c.concurrency }, (_, k) => loop(k)));
  res.durationMs = performance.now() - start;
  await agent.close();
  if (c.recordsFile) writeFileSync(c.recordsFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return res;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as BaselineConfig;
  const r = await runBaseline(cfg);
  process.stdout.write(JSON.stringify(r) + '\n');
}
