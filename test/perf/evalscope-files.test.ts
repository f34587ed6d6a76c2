/**
 * The files written under evalscope's names hold evalscope's figures, computed exactly from the
 * per-request values: every value of benchmark_summary.json and benchmark_percentile.json is
 * recomputed here from requests.sqlite with evalscope's own formulas (a second implementation,
 * written from evalscope 1.10's db_util / benchmark_util, sharing no code with runtime/summary/evalscope.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { evalscopePercentile } from '../../runtime/summary/evalscope.ts';
import { pyFloatRepr, pyRound } from '../../runtime/summary/pyformat.ts';
import { perfOptions, perfRun } from './helpers.ts';

interface Row {
  start_ms: number;
  ttft_ms: number | null;
  e2e_ms: number | null;
  itl_ms: string;
  chunks: number;
  input_tokens: number | null;
  output_tokens: number | null;
  ok: number;
  stream_check: string | null;
}

function rows(dir: string): Row[] {
  const db = new Database(path.join(dir, 'requests.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT start_ms, ttft_ms, e2e_ms, itl_ms, chunks, input_tokens, output_tokens, ok, stream_check FROM requests ORDER BY id').all() as Row[];
  } finally {
    db.close();
  }
}

// Python's round(x, n), independently: decimal string of the exact double, round half to even
function py(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  return pyRound(x, n);
}

/** evalscope's calculate_percentiles over a plain array (its formula: data[int(n * p / 100)]). */
function pct(values: number[], p: number): number {
  const d = [...values].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
  if (p >= 100) return d.length ? d[d.length - 1]! : NaN;
  const i = Math.trunc((d.length * p) / 100);
  return i < d.length ? d[i]! : NaN;
}

/** evalscope 1.10's summary and percentile rows from the database rows. */
function evalscope110(all: Row[], conc: number, rate: number): { summary: Record<string, number>; percentiles: Array<Record<string, string | number>> } {
  const s = (ms: number) => ms / 1000;
  const ok = all.filter((r) => r.ok === 1);
  const stream = (r: Row) => r.ttft_ms !== null;
  const lat = (r: Row) => s(r.e2e_ms!);
  const ttft = (r: Row) => (stream(r) ? s(r.ttft_ms!) : lat(r));
  const tpot = (r: Row) => ((r.output_tokens ?? 0) > 1 ? (lat(r) - ttft(r)) / ((r.output_tokens ?? 0) - 1) : 0);
  // llmperf's rule: a response that did not really stream (stream_check) gives no TPOT and no ITL
  const streamedWell = (r: Row) => !['buffered', 'one_read', 'not_streamed'].includes(r.stream_check ?? '');
  const itls = ok.flatMap((r) => (stream(r) && streamedWell(r) ? (JSON.parse(r.itl_ms) as number[]).map(s) : []));
  const start = Math.min(...all.map((r) => s(r.start_ms)));
  const end = Math.max(0, ...ok.map((r) => s(r.start_ms) + lat(r)));
  const t = Math.max(end - start, 0);
  const n = ok.length;
  const div = (a: number, b: number) => (b ? a / b : -1);
  const sum = (f: (r: Row) => number, rs = ok) => rs.reduce((a, r) => a + f(r), 0);
  const streamed = ok.filter(stream);
  const base = streamed.length ? streamed : ok;
  const tpotBase = base.filter(streamedWell);
  const inTok = sum((r) => r.input_tokens ?? 0);
  const outTok = sum((r) => r.output_tokens ?? 0);
  const decoded = ok.map((r) => ((r.output_tokens ?? 0) > 1 && r.chunks > 1 ? ((r.output_tokens ?? 0) - 1) / (r.chunks - 1) : 0)).filter((L) => L > 1);
  const summary: Record<string, number> = {
    'Test Duration (s)': py(t, 4),
    Concurrency: conc,
    'Request Rate (req/s)': rate,
    'Total Requests': all.length,
    'Success Requests': n,
    'Failed Requests': all.length - n,
    'Stream Requests': all.filter((r) => (r.ok ? stream(r) : true)).length,
    'Non-Stream Requests': all.filter((r) => r.ok && !stream(r)).length,
    'Req Throughput (req/s)': py(div(n, t), 4),
    'Avg Latency (s)': py(div(sum(lat), n), 4),
    'Avg Input Tokens': py(div(inTok, n), 4),
    'Output Throughput (tok/s)': py(div(outTok, t), 4),
    'Total Throughput (tok/s)': py(div(inTok + outTok, t), 4),
    'Avg TTFT (ms)': py(div(sum(ttft, base), base.length) * 1000, 2),
    'Avg TPOT (ms)': py(div(sum(tpot, tpotBase), tpotBase.length) * 1000, 2),
    'Avg ITL (ms)': py((itls.length ? itls.reduce((a, b) => a + b, 0) / itls.length : 0) * 1000, 2),
    'Avg Output Tokens': py(div(outTok, n), 4),
    'Input Throughput (tok/s)': 0,
  };
  if (decoded.length) {
    const L = decoded.reduce((a, b) => a + b, 0) / decoded.length;
    summary['Avg Decoded Tok/Iter'] = py(L, 4);
    summary['Spec. Accept Rate'] = py(Math.max(0, Math.min(1, 1 - 1 / L)), 4);
  }
  const cols: Array<[string, number[]]> = [
    ['Latency (s)', ok.map(lat)],
    ['TTFT (ms)', base.map((r) => ttft(r) * 1000)],
    ['ITL (ms)', itls.map((v) => v * 1000)],
    ['TPOT (ms)', tpotBase.map((r) => tpot(r) * 1000)],
    ['Input tokens', ok.map((r) => r.input_tokens ?? 0)],
    ['Output tokens', ok.map((r) => r.output_tokens ?? 0)],
    ['Output (tok/s)', ok.map((r) => (lat(r) > 0 ? (r.output_tokens ?? 0) / lat(r) : NaN))],
    ['Total (tok/s)', ok.map((r) => (lat(r) > 0 ? ((r.input_tokens ?? 0) + (r.output_tokens ?? 0)) / lat(r) : NaN))],
    ['Decode (tok/s)', tpotBase.map((r) => (tpot(r) > 0 ? 1 / tpot(r) : NaN))],
  ];
  const points = [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100];
  const percentiles = points.map((p) => {
    const row: Record<string, string | number> = { Percentiles: p === 0 ? 'min' : p === 100 ? 'max' : `${p}%` };
    for (const [k, v] of cols) row[k] = py(pct(v, p), 2);
    return row;
  });
  return { summary, percentiles };
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;
/** JSON as written: NaN is null. */
const asWritten = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('evalscope files: figures from per-request values, evalscope formulas', () => {
  let mock: MockServer;
  let spec: MockServer;
  before(async () => {
    mock = await startMockServer({ ttftMs: 4, itlMs: 2, outputTokens: { min: 3, max: 12 }, seed: 5, jitterPct: 0.3 });
    spec = await startMockServer({ ttftMs: 3, itlMs: 2, outputTokens: 9, tokensPerChunk: 3 });
  });
  after(async () => {
    await mock.close();
    await spec.close();
  });

  test('the percentile formula is sorted[int(n*p)] (the issue: input-token p90 of 3,3,4,4,5,5,5,5,6,10 is 10)', () => {
    assert.equal(evalscopePercentile(Float64Array.from([3, 3, 4, 4, 5, 5, 5, 5, 6, 10]), 90), 10);
    assert.equal(evalscopePercentile(Float64Array.from([1, 2, 3]), 0), 1);
    assert.equal(evalscopePercentile(Float64Array.from([1, 2, 3]), 100), 3);
    assert.ok(Number.isNaN(evalscopePercentile(new Float64Array(0), 50)));
  });

  test("numbers as Python writes them: round() to even on the exact double, float repr", () => {
    for (const [x, n, want] of [[2.675, 2, 2.67], [0.125, 2, 0.12], [0.375, 2, 0.38], [2.5, 0, 2], [1.005, 2, 1], [99.999, 2, 100]] as const) assert.equal(pyRound(x, n), want, `${x}`);
    assert.deepEqual([5, 2.5, 1e-5, 0.0001].map(pyFloatRepr), ['5.0', '2.5', '1e-05', '0.0001']);
  });

  test('streaming, --rate: benchmark_summary.json and benchmark_percentile.json equal evalscope 1.10 over requests.sqlite', async () => {
    const r = await perfRun(perfOptions({ url: `${mock.url}/chat/completions`, prompt: 'hello there', number: [40], parallel: [3], rate: [60], seed: 3 }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const dir = r.results[0]!.dir!;
    assert.equal(path.basename(dir), 'parallel_3_number_40', "evalscope's folder name: no _rate_ suffix");
    const want = evalscope110(rows(dir), 3, 60);
    assert.deepEqual(json(path.join(dir, 'benchmark_summary.json')), asWritten(want.summary));
    assert.deepEqual(json(path.join(dir, 'benchmark_percentile.json')), asWritten(want.percentiles));
    // "Time taken": first request start to last completion, not the scenario's length
    assert.ok(want.summary['Test Duration (s)']! < r.results[0]!.summary.state.testRunDurationMs / 1000 + 1e-9);
  });

  test('--no-stream: TTFT is the latency and TPOT 0, numbers (not null), as evalscope writes them', async () => {
    const r = await perfRun(perfOptions({ url: `${mock.url}/chat/completions`, prompt: 'hi', number: [12], parallel: [2], stream: false }));
    const dir = r.results[0]!.dir!;
    const summary = json(path.join(dir, 'benchmark_summary.json')) as Record<string, number>;
    const want = evalscope110(rows(dir), 2, -1);
    assert.deepEqual(summary, asWritten(want.summary));
    assert.equal(summary['Stream Requests'], 0);
    assert.equal(summary['Non-Stream Requests'], 12);
    assert.ok(summary['Avg TTFT (ms)']! > 0, 'TTFT is the whole latency');
    assert.equal(summary['Avg TPOT (ms)'], 0);
    assert.equal(summary['Avg ITL (ms)'], 0);
    const p50 = (json(path.join(dir, 'benchmark_percentile.json')) as Array<Record<string, string | number | null>>).find((x) => x.Percentiles === '50%')!;
    assert.equal(typeof p50['TTFT (ms)'], 'number');
    assert.equal(p50['TPOT (ms)'], 0);
    assert.equal(p50['ITL (ms)'], null, 'no ITL without streaming: NaN in evalscope, null in JSON');
  });

  test('several tokens per chunk: the speculative-decoding keys ((tokens-1)/(chunks-1), 1-1/L)', async () => {
    const r = await perfRun(perfOptions({ url: `${spec.url}/chat/completions`, prompt: 'hi', number: [6], parallel: [2] }));
    const summary = json(path.join(r.results[0]!.dir!, 'benchmark_summary.json')) as Record<string, number>;
    assert.equal(summary['Avg Decoded Tok/Iter'], 4, '9 tokens in 3 chunks: (9-1)/(3-1)');
    assert.equal(summary['Spec. Accept Rate'], 0.75);
    assert.deepEqual(summary, asWritten(evalscope110(rows(r.results[0]!.dir!), 2, -1).summary));
  });

  test("--evalscope-version 1.6: that release's keys, seconds, 10..99 % rows", async () => {
    const r = await perfRun(perfOptions({ url: `${mock.url}/chat/completions`, prompt: 'hi', number: [10], parallel: [2], evalscopeVersion: '1.6' }));
    const dir = r.results[0]!.dir!;
    const summary = json(path.join(dir, 'benchmark_summary.json')) as Record<string, number>;
    const v110 = evalscope110(rows(dir), 2, -1).summary;
    assert.deepEqual(Object.keys(summary).slice(0, 6), ['Time taken for tests (s)', 'Number of concurrency', 'Request rate (req/s)', 'Total requests', 'Succeed requests', 'Failed requests']);
    assert.equal(summary['Time taken for tests (s)'], v110['Test Duration (s)']);
    assert.ok(Math.abs(summary['Average time to first token (s)']! - v110['Avg TTFT (ms)']! / 1000) < 1e-4, 'TTFT in seconds');
    const pctRows = json(path.join(dir, 'benchmark_percentile.json')) as Array<Record<string, unknown>>;
    assert.deepEqual(pctRows.map((x) => x.Percentiles), ['10%', '25%', '50%', '66%', '75%', '80%', '90%', '95%', '98%', '99%']);
    assert.deepEqual(Object.keys(pctRows[0]!), ['Percentiles', 'TTFT (s)', 'ITL (s)', 'TPOT (s)', 'Latency (s)', 'Input tokens', 'Output tokens', 'Output (tok/s)', 'Total (tok/s)']);
  });

  test('benchmark_args.json in evalscope\'s shape; folders, performance_summary.txt and benchmark.log as evalscope lays them out', async () => {
    const r = await perfRun(
      perfOptions({ url: `${mock.url}/chat/completions`, prompt: 'hi', number: [4, 6], rate: [50], openLoop: true, apiKey: 'sk-secret-1', headers: { 'X-Api-Key': 'sk-secret-2', 'X-Trace': 't1' }, seed: 9 }),
    );
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.deepEqual(r.results.map((x) => path.basename(x.dir!)), ['rate_50.0_number_4', 'rate_50.0_number_6']);
    const args = json(path.join(r.results[1]!.dir!, 'benchmark_args.json')) as Record<string, unknown>;
    assert.equal(args.number, 6, 'this run\'s number, a scalar');
    assert.equal(args.parallel, -1);
    assert.equal(args.rate, 50);
    assert.equal(args.open_loop, true);
    assert.equal(args.api_key, '**********');
    assert.deepEqual(args.headers, { 'X-Api-Key': '**********', 'X-Trace': 't1', Authorization: '**********' });
    assert.equal(args.max_tokens, 2048);
    assert.equal(args.outputs_dir, r.results[1]!.dir);
    for (const k of Object.keys(args)) assert.match(k, /^[a-z0-9_]+$/, `snake_case: ${k}`);
    const root = r.root;
    for (const f of ['performance_summary.txt', 'benchmark.log', 'perf_summary.json']) assert.ok(existsSync(path.join(root, f)), f);
    const txt = readFileSync(path.join(root, 'performance_summary.txt'), 'utf8');
    assert.match(txt, /Performance Test Summary Report/);
    assert.match(txt, /Performance Overview/);
    assert.match(txt, /Per-Request Metrics/);
    const log = readFileSync(path.join(root, 'benchmark.log'), 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - evalscope - INFO: /m);
    assert.match(log, /Benchmarking summary:/);
    for (const dir of readdirSync(root)) assert.doesNotMatch(dir, /_rate_/);
    assert.doesNotMatch(readFileSync(path.join(r.results[0]!.dir!, 'benchmark_args.json'), 'utf8') + log, /sk-secret/);
  });
});
