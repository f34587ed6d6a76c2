/**
 * Timing under bursts: the load users really run, where many streams start, stream and end at the
 * same moments, so a client's own per-request work piles up just when other streams' bytes arrive.
 *  - closed: `llmperf perf --parallel 500 -n 1000 --stream` (500 closed loops started together, as
 *    evalscope users run it), against the baseline's 500 loops started together;
 *  - open: Poisson arrivals with gamma burstiness (CV 2: shape 0.25) at a rate that keeps ~400
 *    streams in flight (`llmperf run`, constant-arrival-rate), against the baseline on the same
 *    seeded schedule.
 * The mock (ttft 200 ms, itl 20 ms, 64 tokens) records when it really wrote each request's first
 * and last content event (trace, CLOCK_MONOTONIC) under the response id; both clients store that id
 * (llmperf: requests.sqlite response_id), so every request is matched to its trace line:
 *   first-chunk error = client time of the first content event - trace first
 *   last-chunk error  = client time of the last content event  - trace last
 *   mean ITL error    = |client (last - first) - trace (last - first)| / (chunks - 1)
 * p50 and p99 of each, per run; the figure is the median over `reps` runs of each client.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BurstConfig, BurstRecord } from './baseline-burst.ts';
import { mockArgs } from './config.ts';
import type { BenchCtx, ScenarioOut } from './context.ts';
import { CLI, llmperfNodeFlags, ROOT, runNode, startMock } from './procs.ts';
import { f, int, mean, median, percentile } from './stats.ts';
import type { Row } from './table.ts';

interface TraceLine {
  id: string;
  first: number | null;
  last: number | null;
  chunks: number;
  outcome: string;
}

/** One client request, reduced to what is compared with the trace. */
interface Obs {
  id: string | null;
  firstMono: number | null;
  lastMono: number | null;
  chunks: number;
}

interface Errors {
  matched: number;
  total: number;
  first: number[];
  last: number[];
  itl: number[];
}

function compare(obs: Obs[], trace: Map<string, TraceLine>): Errors {
  const e: Errors = { matched: 0, total: obs.length, first: [], last: [], itl: [] };
  for (const o of obs) {
    const t = o.id === null ? undefined : trace.get(o.id);
    if (!t || t.outcome !== 'ok' || t.first === null || t.last === null || o.firstMono === null || o.lastMono === null) continue;
    e.matched++;
    e.first.push(o.firstMono - t.first);
    e.last.push(o.lastMono - t.last);
    if (t.chunks > 1 && o.chunks === t.chunks) e.itl.push(Math.abs((o.lastMono - o.firstMono) - (t.last - t.first)) / (t.chunks - 1));
  }
  return e;
}

/** llmperf's requests, from the run's requests.sqlite. */
function llmperfObs(db: string): Obs[] {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT response_id, start_mono_ms, ttft_ms, e2e_ms, chunks, ok FROM requests').all() as Array<{ response_id: string | null; start_mono_ms: number; ttft_ms: number | null; e2e_ms: number | null; chunks: number; ok: number }>;
    return rows.filter((r) => r.ok === 1).map((r) => ({
      id: r.response_id,
      firstMono: r.ttft_ms === null ? null : r.start_mono_ms + r.ttft_ms,
      lastMono: r.e2e_ms === null ? null : r.start_mono_ms + r.e2e_ms,
      chunks: r.chunks,
    }));
  } finally {
    d.close();
  }
}

function baselineObs(file: string): Obs[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as BurstRecord).filter((r) => r.ok)
    .map((r) => ({ id: r.id, firstMono: r.firstMono, lastMono: r.lastMono, chunks: r.chunks }));
}

async function baseline(cfg: BurstConfig, timeoutMs: number): Promise<void> {
  const r = await runNode(1, ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-burst.ts'), JSON.stringify(cfg)], timeoutMs);
  if (r.code !== 0) throw new Error(`burst baseline exited with ${r.code}: ${r.stderr.trim().slice(-500)}`);
}

async function llmperf(args: string[], timeoutMs: number): Promise<void> {
  const r = await runNode(1, [...llmperfNodeFlags(), CLI, ...args], timeoutMs);
  if (r.code !== 0) throw new Error(`llmperf ${args[0]} exited with ${r.code}: ${r.stderr.trim().slice(-800)}`);
}

function openScript(dir: string, o: { rate: number; durationMs: number; gamma: number; seed: number; maxVUs: number; maxTokens: number }): string {
  const file = path.join(dir, 'burst-open.js');
  const options = {
    scenarios: {
      bench: {
        executor: 'constant-arrival-rate', rate: o.rate, timeUnit: '1s', duration: `${o.durationMs}ms`, arrival: { gamma: o.gamma }, seed: o.seed,
        preAllocatedVUs: o.maxVUs, maxVUs: o.maxVUs,
      },
    },
  };
  writeFileSync(file, `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = ${JSON.stringify(options)};
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'Explain time to first token in one paragraph.' }], max_tokens: ${o.maxTokens} });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`);
  return file;
}

interface Stat {
  first50: number;
  first99: number;
  last50: number;
  last99: number;
  itl50: number;
  itl99: number;
  itlMean: number;
  matched: number;
  total: number;
}

function stat(e: Errors): Stat {
  return {
    first50: percentile(e.first, 50), first99: percentile(e.first, 99), last50: percentile(e.last, 50), last99: percentile(e.last, 99),
    itl50: percentile(e.itl, 50), itl99: percentile(e.itl, 99), itlMean: mean(e.itl), matched: e.matched, total: e.total,
  };
}

function medianStat(xs: Stat[]): Stat {
  const m = (k: keyof Stat) => median(xs.map((x) => x[k]));
  return {
    first50: m('first50'), first99: m('first99'), last50: m('last50'), last99: m('last99'), itl50: m('itl50'), itl99: m('itl99'), itlMean: m('itlMean'),
    matched: xs.reduce((a, x) => a + x.matched, 0), total: xs.reduce((a, x) => a + x.total, 0),
  };
}

function rowsFor(name: string, mine: Stat, base: Stat): Row[] {
  const ms = (v: number) => f(v, 3);
  return [
    { scenario: name, measure: 'first-chunk error p50 (ms)', llmperf: ms(mine.first50), baseline: ms(base.first50), result: `${ms(mine.first50 - base.first50)} ms`, target: 'within 2 ms of baseline', pass: mine.first50 - base.first50 <= 2 },
    { scenario: name, measure: 'first-chunk error p99 (ms)', llmperf: ms(mine.first99), baseline: ms(base.first99), result: `${ms(mine.first99 - base.first99)} ms`, target: 'within 5 ms of baseline', pass: mine.first99 - base.first99 <= 5 },
    { scenario: name, measure: 'last-chunk error p50 (ms)', llmperf: ms(mine.last50), baseline: ms(base.last50), result: `${ms(mine.last50 - base.last50)} ms`, target: 'reported', pass: null },
    { scenario: name, measure: 'last-chunk error p99 (ms)', llmperf: ms(mine.last99), baseline: ms(base.last99), result: `${ms(mine.last99 - base.last99)} ms`, target: 'within 5 ms of baseline', pass: mine.last99 - base.last99 <= 5 },
    { scenario: name, measure: 'ITL error p50 / p99 (ms per token)', llmperf: `${ms(mine.itl50)} / ${ms(mine.itl99)}`, baseline: `${ms(base.itl50)} / ${ms(base.itl99)}`, result: '', target: 'reported', pass: null },
    { scenario: name, measure: 'mean ITL error (ms per token)', llmperf: ms(mine.itlMean), baseline: ms(base.itlMean), result: `${ms(mine.itlMean)} ms`, target: '< 0.15 ms', pass: mine.itlMean < 0.15 },
    {
      scenario: name, measure: 'requests matched to the trace', llmperf: `${int(mine.matched)}/${int(mine.total)}`, baseline: `${int(base.matched)}/${int(base.total)}`,
      result: mine.matched === mine.total && base.matched === base.total ? 'all' : 'missing', target: 'all (cross-check)', pass: mine.matched === mine.total && base.matched === base.total && mine.total > 0,
    },
  ];
}

export async function burst(ctx: BenchCtx): Promise<ScenarioOut> {
  const b = ctx.size.burst;
  const traceFile = path.join(ctx.tmp, 'burst-trace.jsonl');
  const mock = await startMock([...mockArgs(b), '--trace-file', traceFile]);
  const streamMs = b.ttftMs + (b.outputTokens - 1) * b.itlMs;
  // ~inflight streams in flight: arrivals per second times a stream's duration
  const rate = Math.round((b.open.inflight / streamMs) * 1000);
  const open = { rate, durationMs: b.open.durationMs, gamma: 0.25, seed: 7 };
  const files: Array<{ kind: 'closed' | 'open'; client: 'llmperf' | 'baseline'; file: string }> = [];
  const timeout = 10 * 60_000;
  try {
    for (let rep = 0; rep < b.reps; rep++) {
      const tag = `rep ${rep + 1}/${b.reps}`;
      ctx.log(`burst: baseline, ${b.closed.parallel} loops started together, ${b.closed.number} requests (${tag})`);
      const bc = path.join(ctx.tmp, `burst-closed-baseline-${rep}.jsonl`);
      await baseline({ url: mock.url, mode: 'closed', concurrency: b.closed.parallel, requests: b.closed.number, maxTokens: b.outputTokens, recordsFile: bc }, timeout);
      files.push({ kind: 'closed', client: 'baseline', file: bc });

      ctx.log(`burst: llmperf perf --parallel ${b.closed.parallel} -n ${b.closed.number} --stream (${tag})`);
      const outDir = path.join(ctx.tmp, `burst-perf-${rep}`);
      await llmperf(['perf', '--url', `${mock.url}/chat/completions`, '--model', 'mock-llm', '--parallel', String(b.closed.parallel), '-n', String(b.closed.number), '--stream',
        '--prompt', 'Explain time to first token in one paragraph.', '--max-tokens', String(b.outputTokens), '--name', 'burst', '--outputs-dir', outDir, '--no-timestamp',
        '--no-test-connection', '--log-every-n-query', '0'], timeout);
      files.push({ kind: 'closed', client: 'llmperf', file: path.join(outDir, 'burst', `parallel_${b.closed.parallel}_number_${b.closed.number}`, 'requests.sqlite') });

      ctx.log(`burst: baseline, gamma arrivals (CV 2) at ${rate}/s for ${open.durationMs} ms (${tag})`);
      const bo = path.join(ctx.tmp, `burst-open-baseline-${rep}.jsonl`);
      await baseline({ url: mock.url, mode: 'open', open, maxTokens: b.outputTokens, recordsFile: bo }, timeout);
      files.push({ kind: 'open', client: 'baseline', file: bo });

      ctx.log(`burst: llmperf run, constant-arrival-rate, gamma arrivals (CV 2) at ${rate}/s (${tag})`);
      const runDir = path.join(ctx.tmp, `burst-open-run-${rep}`);
      const script = openScript(ctx.tmp, { ...open, maxVUs: Math.max(64, Math.ceil(b.open.inflight * 3)), maxTokens: b.outputTokens });
      await llmperf(['run', script, '--url', mock.url, '--no-test-connection', '--quiet', '--no-color', '--out-dir', runDir], timeout);
      files.push({ kind: 'open', client: 'llmperf', file: path.join(runDir, 'requests.sqlite') });
    }
  } finally {
    await mock.stop(); // flushes the trace
  }
  const trace = new Map<string, TraceLine>();
  for (const l of readFileSync(traceFile, 'utf8').split('\n')) if (l.trim()) { const t = JSON.parse(l) as TraceLine; trace.set(t.id, t); }
  const stats = (kind: 'closed' | 'open', client: 'llmperf' | 'baseline') =>
    files.filter((x) => x.kind === kind && x.client === client).map((x) => stat(compare(client === 'llmperf' ? llmperfObs(x.file) : baselineObs(x.file), trace)));
  const rows: Row[] = [];
  const notes: Array<[string, string]> = [];
  for (const kind of ['closed', 'open'] as const) {
    const mine = stats(kind, 'llmperf');
    const base = stats(kind, 'baseline');
    const name = kind === 'closed' ? `Burst, ${b.closed.parallel} loops started together (perf --parallel ${b.closed.parallel} -n ${b.closed.number})` : `Burst, gamma arrivals CV 2 at ${rate}/s (~${b.open.inflight} in flight)`;
    rows.push(...rowsFor(name, medianStat(mine), medianStat(base)));
    const each = (xs: Stat[]) => xs.map((x) => `${f(x.first99, 1)}/${f(x.last99, 1)}`).join(', ');
    notes.push([name, `mock ttft ${b.ttftMs} ms, itl ${b.itlMs} ms, ${b.outputTokens} tokens; median of ${b.reps} runs of each client (first/last-chunk error p99 per run: llmperf ${each(mine)} ms, baseline ${each(base)} ms).`]);
  }
  return { rows, notes, appendix: [] };
}
