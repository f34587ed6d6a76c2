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

interface RunErrors {
  e: Errors;
  mockCpu: number;
  /** involuntary context switches of the client's main thread per second */
  preemptPerS: number;
}

/** The run a client is judged by: the one with the smallest TTFT error p99 (least disturbed). */
function best(runs: RunErrors[]): RunErrors {
  return runs.reduce((a, r) => (percentile(r.e.ttftErr, 99) < percentile(a.e.ttftErr, 99) ? r : a));
}

export async function accuracy(ctx: BenchCtx): Promise<ScenarioOut> {
  const a = ctx.size.accuracy;
  const traceFile = path.join(ctx.tmp, 'accuracy-trace.jsonl');
  const mock = await startMock([...mockArgs(a), '--trace-file', traceFile]);
  const rampMs = Math.round(a.ttftMs + (a.outputTokens - 1) * a.itlMs);
  const prof = profileSubdir(ctx, 'accuracy');
  if (prof) mkdirSync(prof, { recursive: true });
  const timeout = rampMs + a.durationMs + 120_000;
  const files: Array<{ rep: number; base: string; mine: string; mockCpuB: number; mockCpuL: number; preB: number; preL: number }> = [];
  try {
    for (let rep = 0; rep < a.reps; rep++) {
      const baseFile = path.join(ctx.tmp, `accuracy-baseline-${rep}.jsonl`);
      const mineFile = path.join(ctx.tmp, `accuracy-llmperf-${rep}.jsonl`);
      const script = closedLoopScript(ctx.tmp, `accuracy-${rep}.js`, { vus: a.streams, durationMs: a.durationMs, maxTokens: a.outputTokens, rampMs, requestIdPrefix: `L${rep}-` });
      ctx.log(`accuracy: baseline, ${a.streams} loops started over ${rampMs} ms, then ${a.durationMs} ms (rep ${rep + 1}/${a.reps})`);
      let cpu0 = mock.cpuS();
      const b = await runBaselineProc({ url: mock.url, concurrency: a.streams, durationMs: a.durationMs, maxTokens: a.outputTokens, rampMs, recordsFile: baseFile, ridPrefix: `B${rep}-` }, timeout);
      const mockCpuB = (mock.cpuS() - cpu0) / (b.wallMs / 1000);
      ctx.log(`accuracy: llmperf, ramping-vus to ${a.streams} VUs over ${rampMs} ms, then ${a.durationMs} ms (rep ${rep + 1}/${a.reps})`);
      cpu0 = mock.cpuS();
      const l = await runLlmperfRecords(script, mock.url, mineFile, timeout, rep === 0 ? prof : undefined);
      files.push({
        rep, base: baseFile, mine: mineFile, mockCpuB, mockCpuL: (mock.cpuS() - cpu0) / (l.wallMs / 1000),
        preB: b.mainPreemptions / (b.wallMs / 1000), preL: l.mainPreemptions / (l.wallMs / 1000),
      });
    }
  } finally {
    await mock.stop(); // flushes the trace
  }
  const trace = new Map<string, TraceLine>();
  for (const t of readJsonl<TraceLine>(traceFile)) if (t.requestId !== undefined) trace.set(t.requestId, t);
  // The first request of every loop (iteration 0) also opens its connection: left out.
  const baseRuns = files.map((x) => ({ e: compare(readJsonl<BaselineRecord>(x.base).filter((r) => !r.rid.endsWith('-0')), trace), mockCpu: x.mockCpuB, preemptPerS: x.preB }));
  const mineRuns = files.map((x) => ({
    e: compare(readJsonl<{ vu: number; iter: number; ok: boolean; ttft: number | null; itl: number[] }>(x.mine)
      .filter((r) => r.ok && r.iter > 0).map((r) => ({ rid: `L${x.rep}-${r.vu}-${r.iter}`, ttft: r.ttft, itl: r.itl })), trace),
    mockCpu: x.mockCpuL,
    preemptPerS: x.preL,
  }));
  const bRun = best(baseRuns);
  const mRun = best(mineRuns);
  const base = bRun.e;
  const mine = mRun.e;

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
  const all = [...baseRuns, ...mineRuns].map((r) => r.e);
  const matched = all.reduce((n, e) => n + e.matched, 0);
  const total = all.reduce((n, e) => n + e.total, 0);
  const allMatched = matched === total && all.every((e) => e.total > 0);
  rows.push({
    scenario: name, measure: 'requests matched to the trace', llmperf: `${int(mine.matched)}/${int(mine.total)}`, baseline: `${int(base.matched)}/${int(base.total)}`,
    result: allMatched ? 'all' : `${int(total - matched)} missing`, target: 'all (cross-check)', pass: allMatched,
  });
  const p99s = (runs: RunErrors[]) => runs.map((r) => f(percentile(r.e.ttftErr, 99), 1)).join(', ');
  return {
    rows,
    notes: [[
      name,
      `mock ttft ${a.ttftMs} ms, itl ${a.itlMs} ms, ${a.outputTokens} tokens; loops started one by one over ${rampMs} ms, then ${f(a.durationMs / 1000, 1)} s; first request of each loop left out; ` +
      `baseline and llmperf alternate ${a.reps} times, each judged by its run with the smallest TTFT error p99 (all runs: baseline ${p99s(baseRuns)} ms, llmperf ${p99s(mineRuns)} ms). ` +
      `The mock's own TTFT (trace first - recv) p50/p99: ${f(percentile(mine.serverTtft, 50), 3)}/${f(percentile(mine.serverTtft, 99), 3)} ms during the llmperf run, ` +
      `${f(percentile(base.serverTtft, 50), 3)}/${f(percentile(base.serverTtft, 99), 3)} ms during the baseline run; mock CPU ${f(mRun.mockCpu * 100, 0)}% vs ${f(bRun.mockCpu * 100, 0)}%. ` +
      `Mean signed TTFT error: llmperf ${f(mean(mine.ttftErr), 3)} ms, baseline ${f(mean(base.ttftErr), 3)} ms. ` +
      `Involuntary context switches of the client's main thread: llmperf ${int(mRun.preemptPerS)}/s, baseline ${int(bRun.preemptPerS)}/s ` +
      '(on the pinned core the event loop is preempted by the process\'s other threads: the requests.sqlite writer, V8 compiler threads; with --isolate-threads also the isolates\' own).',
    ]],
    appendix: profileAppendix(`llmperf, timing accuracy (${a.streams} VUs)`, prof),
  };
}
