// `llmperf compare` on two real runs against the mock with different latencies, the regression
// gate for CI, and queries over requests.sqlite.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli, tempFiles } from '../helpers.ts';
import { checkWhere, queryRequests } from '../../runtime/results/query.ts';
import { compareRuns, parsePercent, type Comparison, type LoadedRun } from '../../runtime/results/compare.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { chatScript } from './helpers.ts';

let dir = '';
const fast = () => path.join(dir, 'fast');
const slow = () => path.join(dir, 'slow');

before(async () => {
  dir = tempFiles({ 'chat.ts': chatScript(24) });
  // Every figure of "slow" is clearly worse (latencies several times longer), so scheduling noise
  // on a busy machine cannot flip a direction.
  const common = ['run', 'chat.ts', '--mock', 'output-tokens=16', '-q'];
  const [a, b] = await Promise.all([
    runCli([...common, '--mock', 'ttft=20ms', '--mock', 'itl=2ms', '--out-dir', 'fast'], { cwd: dir }),
    runCli([...common, '--mock', 'ttft=150ms', '--mock', 'itl=60ms', '--mock', 'fault=http_429=0.3', '--out-dir', 'slow'], { cwd: dir }),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
});

test('compare prints the headline figures side by side with deltas; no gate, exit 0', async () => {
  const r = await runCli(['compare', fast(), path.join(slow(), 'summary.json')], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /A \(baseline\): fast/);
  assert.match(r.stdout, /B: slow/);
  for (const label of ['Request throughput', 'Output token throughput', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'ITL p99', 'E2E p99', 'Success rate', 'Goodput']) {
    assert.match(r.stdout, new RegExp(`^${label}\\s`, 'm'), label);
  }
  const ttft = /^TTFT p50\s+ms\s+([\d.]+)\s+([\d.]+)\s+\+([\d.]+)\s+\+([\d.]+)%$/m.exec(r.stdout);
  assert.ok(ttft, r.stdout);
  assert.ok(Number(ttft[1]) < 60 && Number(ttft[2]) > 110, 'TTFT p50 of each run');
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a TTY');
});

test('--fail-on-regression exits 2 when a latency grows or a throughput drops, 0 when things improve', async () => {
  const worse = await runCli(['compare', fast(), slow(), '--fail-on-regression', '20%'], { cwd: dir });
  assert.equal(worse.code, 2, worse.stdout + worse.stderr);
  assert.match(worse.stdout, /^REGRESSION TTFT p50: \+\d+(\.\d)?% in slow \(allowed 20%\)$/m);
  assert.match(worse.stdout, /^REGRESSION Success rate: -\d+/m);
  const better = await runCli(['compare', slow(), fast(), '--fail-on-regression', '20%', '--json'], { cwd: dir });
  assert.equal(better.code, 0, better.stdout + better.stderr);
  const c = JSON.parse(better.stdout) as Comparison;
  assert.deepEqual(c.regressions, []);
  const ttft = c.figures.find((f) => f.key === 'ttft_p50')!;
  assert.ok(ttft.percent[1]! < -50, `TTFT p50 fell (${ttft.percent[1]}%)`);
  assert.equal(c.failOnRegressionPercent, 20);
  const bad = await runCli(['compare', fast(), slow(), '--fail-on-regression', 'lots'], { cwd: dir });
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /give a percentage such as 5%/);
});

test('regression direction per figure (table)', () => {
  const sum = (o: { rps: number; ttft: number; ok: number }): LoadedRun => ({
    label: 'x',
    path: 'x',
    summary: {
      schemaVersion: 1,
      metrics: {},
      llm: { requestThroughput: o.rps, outputTokenThroughput: o.rps * 10, successRate: o.ok, goodput: null, percentiles: { llm_ttft: { 'p(50)': o.ttft, 'p(99)': o.ttft * 2 } } },
    } as unknown as SummaryData,
  });
  const cases: Array<[string, { rps: number; ttft: number; ok: number }, string[]]> = [
    ['same', { rps: 10, ttft: 100, ok: 1 }, []],
    ['latency +4% is within 5%', { rps: 10, ttft: 104, ok: 1 }, []],
    ['latency +6%', { rps: 10, ttft: 106, ok: 1 }, ['ttft_p50', 'ttft_p99']],
    ['latency -50% is an improvement', { rps: 10, ttft: 50, ok: 1 }, []],
    ['throughput -10%', { rps: 9, ttft: 100, ok: 1 }, ['request_throughput', 'output_token_throughput']],
    ['throughput +10% is an improvement', { rps: 11, ttft: 100, ok: 1 }, []],
    ['success rate -10%', { rps: 10, ttft: 100, ok: 0.9 }, ['success_rate']],
  ];
  for (const [name, b, keys] of cases) {
    const c = compareRuns([sum({ rps: 10, ttft: 100, ok: 1 }), sum(b)], 5);
    assert.deepEqual(c.regressions.map((r) => r.key).sort(), [...keys].sort(), name);
  }
  assert.equal(parsePercent('5%'), 5);
  assert.equal(parsePercent('2.5'), 2.5);
  assert.throws(() => parsePercent('-5%'), /percentage/);
  assert.throws(() => compareRuns([sum({ rps: 1, ttft: 1, ok: 1 })], null), /at least two runs/);
});

test('queries: --requests expression, --failed, --slowest, --json, limits', async () => {
  const failed = await queryRequests(slow(), { failed: true, limit: 0 });
  const s = JSON.parse((await import('node:fs')).readFileSync(path.join(slow(), 'summary.json'), 'utf8')) as SummaryData;
  assert.ok(s.llm.failed > 0);
  assert.match(failed, new RegExp(`^${s.llm.failed} matching requests?$`, 'm'));
  assert.match(failed, /HTTP_429/);

  const byExpr = await queryRequests(slow(), { where: "error_code IS NOT NULL AND status = 429", json: true, limit: 0 });
  const rows = byExpr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, s.llm.failed);
  assert.ok(rows.every((r) => r.error_code === 'HTTP_429' && r.ok === 0));

  const slowest = (await queryRequests(fast(), { slowest: 'ttft', limit: 3, json: true })).trim().split('\n').map((l) => JSON.parse(l) as { ttft_ms: number });
  assert.equal(slowest.length, 3);
  assert.ok(slowest[0]!.ttft_ms >= slowest[1]!.ttft_ms && slowest[1]!.ttft_ms >= slowest[2]!.ttft_ms, 'descending');
  const limited = await queryRequests(fast(), { where: 'ttft > 0', limit: 5 });
  assert.match(limited, /^5 of 24 matching requests/m);
  assert.equal(limited.trim().split('\n').length, 2 + 5 + 1, 'header, rule, 5 rows, footer');
  assert.match(await queryRequests(fast(), { where: 'ttft_ms < 0' }), /^no matching requests$/m);

  await assert.rejects(queryRequests(fast(), { where: 'no_such_column > 1' }), /no such column: no_such_column.*Columns: run_id, id/s);
  await assert.rejects(queryRequests(dir, {}), /no requests\.sqlite in .*--no-save/);
});

test('llmperf report <run-dir> --requests/--failed/--slowest prints rows; a bad filter exits 104', async () => {
  const r = await runCli(['report', slow(), '--requests', "error_code = 'HTTP_429'", '--limit', '2'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^id\s+t \(s\)\s+scenario/m);
  assert.match(r.stdout, /HTTP_429/);
  assert.match(r.stdout, /^2 of \d+ matching requests/m);
  const bad = await runCli(['report', slow(), '--requests', '1; DELETE FROM requests'], { cwd: dir });
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /";" is not allowed/);
});

test('the filter must be one expression (table)', () => {
  const ok = ['error_code IS NOT NULL', "error_message LIKE '%;%'", "error_message LIKE '%(%'", 'ttft > (SELECT 1)', '"ttft_ms" > 5', "x = 'it''s'"];
  const bad: Array<[string, RegExp]> = [
    ['1; DROP TABLE requests', /";" is not allowed/],
    ['1) UNION SELECT * FROM runs WHERE (1', /unbalanced "\)"/],
    ['(1', /unbalanced "\("/],
    ['1 -- comment', /comments are not allowed/],
    ['1 /* x */', /comments are not allowed/],
    ["'open", /unterminated string/],
    ['   ', /empty filter/],
  ];
  for (const e of ok) assert.doesNotThrow(() => checkWhere(e), e);
  for (const [e, re] of bad) assert.throws(() => checkWhere(e), re, e);
});
