/**
 * The baseline of the burst scenarios: the bare undici streaming client of baseline-client.ts,
 * driven the way users drive llmperf:
 *  - closed: `concurrency` loops started together sharing `requests` requests (`llmperf perf
 *    --parallel P -n N`), so the first wave starts, streams and ends at the same moments;
 *  - open: one request per planned arrival of the same seeded gamma schedule llmperf's
 *    constant-arrival-rate executor plans (runtime/executors/arrivals.ts).
 * Each request records the server's response id (the first event's `"id":"…"`, to match the
 * mock's trace) and the CLOCK_MONOTONIC times of its first and last content events.
 *
 *   node --import tsx bench/baseline-burst.ts '{"url":…,"mode":"closed","concurrency":500,"requests":1000,"maxTokens":64,"recordsFile":"r.jsonl"}'
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher } from 'undici';
import { arrivalOffsets, rateProfile } from '../runtime/executors/arrivals.ts';
import { scanContentEvents } from './baseline-client.ts';
import { monotonicOffset } from '../runtime/monotonic.ts';

export interface BurstConfig {
  /** base URL ending in /v1 */
  url: string;
  mode: 'closed' | 'open';
  maxTokens: number;
  recordsFile: string;
  /** closed */
  concurrency?: number;
  requests?: number;
  /** open: the arrival schedule, computed as llmperf's constant-arrival-rate executor plans it */
  open?: { rate: number; durationMs: number; gamma: number; seed: number };
}

/** The planned offsets (ms) of an open-loop run: runtime/executors/arrivals.ts, the same code llmperf plans with. */
export function openOffsets(o: NonNullable<BurstConfig['open']>): number[] {
  return [...arrivalOffsets(rateProfile(o.rate, [{ durationMs: o.durationMs, target: o.rate }], 1000), { gamma: o.gamma }, o.seed)];
}

export interface BurstRecord {
  id: string | null;
  ok: boolean;
  /** CLOCK_MONOTONIC ms */
  startMono: number;
  firstMono: number | null;
  lastMono: number | null;
  chunks: number;
}

const ID = '"id":"';

export async function runBurstBaseline(c: BurstConfig): Promise<{ requests: number; ok: number; durationMs: number }> {
  const u = new URL(c.url.replace(/\/+$/, '') + '/chat/completions');
  const offsets = c.mode === 'open' ? openOffsets(c.open!) : [];
  const conns = c.mode === 'closed' ? c.concurrency! : Math.min(4096, offsets.length);
  const agent = new Agent({ connections: conns, pipelining: 1, connect: { noDelay: true }, keepAliveTimeout: 60_000 });
  const body = JSON.stringify({
    model: 'mock-llm', messages: [{ role: 'user', content: 'Explain time to first token in one paragraph.' }],
    max_tokens: c.maxTokens, stream: true, stream_options: { include_usage: true },
  });
  const mono = monotonicOffset();
  const records: BurstRecord[] = [];

  const one = (): Promise<void> => new Promise((resolve) => {
    let buf = '';
    let status = 0;
    let id: string | null = null;
    let first: number | null = null;
    let last: number | null = null;
    let chunks = 0;
    const t0 = performance.now();
    const done = (ok: boolean) => {
      records.push({ id, ok, startMono: t0 + mono, firstMono: first === null ? null : first + mono, lastMono: last === null ? null : last + mono, chunks });
      resolve();
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode) { status = statusCode; },
      onResponseData(_c, chunk) {
        const now = performance.now();
        buf += chunk.toString('utf8');
        if (id === null) {
          const a = buf.indexOf(ID);
          if (a >= 0) {
            const b = buf.indexOf('"', a + ID.length);
            if (b >= 0) id = buf.slice(a + ID.length, b);
          }
        }
        buf = scanContentEvents(buf, () => {
          if (first === null) first = now;
          last = now;
          chunks++;
        });
      },
      onResponseEnd() { done(status === 200); },
      onResponseError() { done(false); },
    };
    agent.dispatch({ origin: u.origin, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body }, handler);
  });

  const start = performance.now();
  if (c.mode === 'closed') {
    let left = c.requests!;
    const loop = async (): Promise<void> => {
      while (left > 0) {
        left--;
        await one();
      }
    };
    await Promise.all(Array.from({ length: c.concurrency! }, loop));
  } else {
    const running: Promise<void>[] = [];
    for (const off of offsets) {
      const wait = start + off - performance.now();
      if (wait > 2) await new Promise((r) => setTimeout(r, wait - 1.5));
      while (performance.now() < start + off) await new Promise((r) => setImmediate(r));
      running.push(one());
    }
    await Promise.all(running);
  }
  const durationMs = performance.now() - start;
  await agent.close();
  writeFileSync(c.recordsFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { requests: records.length, ok: records.filter((r) => r.ok).length, durationMs };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as BurstConfig;
  process.stdout.write(JSON.stringify(await runBurstBaseline(cfg)) + '\n');
}
