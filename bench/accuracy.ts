/**
 * Timing accuracy: the mock (ttft 200 ms, itl 20 ms, 64 tokens) records when it really wrote the
 * first and last content event of every request (trace file, CLOCK_MONOTONIC), keyed by the
 * request's x-request-id header. Each client's per-request timings are compared with the trace:
 *   TTFT error      = client TTFT - (trace.first - trace.recv)
 *   mean ITL error  = |client mean ITL - (trace.last - trace.first) / (chunks - 1)|
 * llmperf's figures must stay within the stated distance of the baseline's.
 *
 * Both clients start their loops one by one over one request's duration (llmperf: ramping-vus), so
 * requests and events are spread evenly in time: 500 loops started together stay in phase and
 * send 500 requests at once every cycle, which measures burst queueing in both processes rather
 * than timing error. The first request of every loop (which also opens its connection) is left out.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaselineRecord } from './baseline-client.ts';
import { runBaselineProc, runLlmperfRecords } from './clients.ts';
import { mockArgs } from './config.ts';
import { profileAppendix, profileSubdir, type BenchCtx, type ScenarioOut } from './context.ts';
import { startMock } from './procs.ts';
import { closedLoopScript } from './scripts.ts';
import { f, int, mean, percentile } from './stats.ts';

interface TraceLine {
  requestId?: string;
  recv: number;
  first: number | null;
  last: number | null;
  chunks: number;
  outcome: string;
}

interface ClientRec {
  rid: string;
  ttft: number | null;
  itl: number[];
}

export interface Errors {
  matched: number;
  total: number;
  ttftErr: number[];
  itlMeanErr: number[];
  itlAll: number[];
  serverTtft: number[];
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

export function compare(recs: ClientRec[], trace: Map<string, TraceLine>): Errors {
  const e: Errors = { matched: 0, total: recs.length, ttftErr: [], itlMeanErr: [], itlAll: [], serverTtft: [] };
  for (const r of recs) {
    const t = trace.get(r.rid);
    if (!t || t.first === null || t.last === null || r.ttft === null || t.outcome !== 'ok') continue;
    e.matched++;
    const serverTtft = t.first - t.recv;
    e.serverTtft.push(serverTtft);
    e.ttftErr.push(r.ttft - serverTtft);
    if (t.chunks > 1 && r.itl.length === t.chunks - 1) {
      e.itlMeanErr.push(Math.abs(mean(r.itl) - (t.last - t.first) / (t.chunks - 1)));
    }
    for (const g of r.itl) e.itlAll.push(g);
  }
  return e;
}

export async function accuracy(ctx: BenchCtx): Promise<ScenarioOut> {
  const a = ctx.size.accuracy;
  const traceFile = path.join(ctx.tmp, 'accuracy-trace.jsonl');
  const mock = await startMock([...mockArgs(a), '--trace-file', traceFile]);
  const rampMs = Math.round(a.ttftMs + (a.outputTokens - 1) * a.itlMs);
  const script = closedLoopScript(ctx.tmp, 'accuracy.js', { vus: a.streams, durationMs: a.durationMs, maxTokens: a.outputTokens, rampMs, requestId: true });
  const prof = profileSubdir(ctx, 'accuracy');
  if (prof) mkdirSync(prof, { recursive: true });
  const timeout = rampMs + a.durationMs + 120_000;
  const baseFile = path.join(ctx.tmp, 'accuracy-baseline.jsonl');
  const mineFile = path.join(ctx.tmp, 'accuracy-llmperf.jsonl');
  let mockCpuB = NaN;
  let mockCpuL = NaN;
  try {
    ctx.log(`accuracy: baseline, ${a.streams} loops started over ${rampMs} ms, then ${a.durationMs} ms`);
    let cpu0 = mock.cpuS();
    const b = await runBaselineProc({ url: mock.url, concurrency: a.streams, durationMs: a.durationMs, maxTokens: a.outputTokens, rampMs, recordsFile: baseFile }, timeout);
    mockCpuB = (mock.cpuS() - cpu0) / (b.wallMs / 1000);
    ctx.log(`accuracy: llmperf, ramping-vus to ${a.streams} VUs over ${rampMs} ms, then ${a.durationMs} ms`);
    cpu0 = mock.cpuS();
    const l = await runLlmperfRecords(script, mock.url, mineFile, timeout, prof);
    mockCpuL = (mock.cpuS() - cpu0) / (l.wallMs / 1000);
  } finally {
    await mock.stop(); // flushes the trace
  }
  const trace = new Map<string, TraceLine>();
  for (const t of readJsonl<TraceLine>(traceFile)) if (t.requestId !== undefined) trace.set(t.requestId, t);
  const base = compare(readJsonl<BaselineRecord>(baseFile).filter((r) => !r.rid.endsWith('-0')), trace);
  const mine = compare(readJsonl<{ vu: number; iter: number; ok: boolean; ttft: number | null; itl: number[] }>(mineFile)
    .filter((r) => r.ok && r.iter > 0).map((r) => ({ rid: `${r.vu}-${r.iter}`, ttft: r.ttft, itl: r.itl })), trace);

  const name = `Timing accuracy (${a.streams} streams)`;
  const rows = [];
  for (const p of [50, 99]) {
    const m = percentile(mine.ttftErr, p);
    const bb = percentile(base.ttftErr, p);
    rows.push({ scenario: name, measure: `TTFT error p${p} (ms)`, llmperf: f(m, 3), baseline: f(bb, 3), result: `${f(m - bb, 3)} ms`, target: 'within 2 ms of baseline', pass: Math.abs(m - bb) <= 2 });
  }
  const mi = mean(mine.itlMeanErr);
  const bi = mean(base.itlMeanErr);
  rows.push({ scenario: name, measure: 'mean ITL error (ms)', llmperf: f(mi, 3), baseline: f(bi, 3), result: `${f(mi, 3)} ms`, target: '< 0.2 ms', pass: mi < 0.2 });
  const mp = percentile(mine.itlAll, 99);
  const bp = percentile(base.itlAll, 99);
  rows.push({ scenario: name, measure: 'ITL p99 (ms)', llmperf: f(mp, 3), baseline: f(bp, 3), result: `${f(mp - bp, 3)} ms`, target: 'within 2 ms of baseline', pass: Math.abs(mp - bp) <= 2 });
  const allMatched = mine.matched === mine.total && base.matched === base.total && mine.total > 0 && base.total > 0;
  rows.push({
    scenario: name, measure: 'requests matched to the trace', llmperf: `${int(mine.matched)}/${int(mine.total)}`, baseline: `${int(base.matched)}/${int(base.total)}`,
    result: allMatched ? 'all' : 'missing', target: 'all (cross-check)', pass: allMatched,
  });
  return {
    rows,
    notes: [[
      name,
      `mock ttft ${a.ttftMs} ms, itl ${a.itlMs} ms, ${a.outputTokens} tokens; loops started one by one over ${rampMs} ms, then ${f(a.durationMs / 1000, 1)} s; first request of each loop left out. ` +
      `The mock's own TTFT (trace first - recv) p50/p99: ${f(percentile(mine.serverTtft, 50), 3)}/${f(percentile(mine.serverTtft, 99), 3)} ms during the llmperf run, ` +
      `${f(percentile(base.serverTtft, 50), 3)}/${f(percentile(base.serverTtft, 99), 3)} ms during the baseline run; mock CPU ${f(mockCpuL * 100, 0)}% vs ${f(mockCpuB * 100, 0)}%. ` +
      `Mean signed TTFT error: llmperf ${f(mean(mine.ttftErr), 3)} ms, baseline ${f(mean(base.ttftErr), 3)} ms.`,
    ]],
    appendix: profileAppendix(`llmperf, timing accuracy (${a.streams} VUs)`, prof),
  };
}
