/**
 * Keeps the benchmark harness from rotting: runs `bench/run.ts` in its tiny configuration (a few
 * seconds, real mock and client processes) and checks that the report has every row. Speed is
 * not asserted. Also pins the accuracy matching and the Poisson plan count the report relies on.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compare } from '../../bench/accuracy.ts';
import { plannedArrivals } from '../../bench/open-loop.ts';
import { percentile } from '../../bench/stats.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runBench(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'bench/run.ts'], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const t = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('exit', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

describe('bench harness (tiny)', () => {
  let out: string;
  before(() => {
    out = mkdtempSync(path.join(tmpdir(), 'llmperf-bench-test-'));
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  test('writes a dated report with every scenario row and prints it', { timeout: 120_000 }, async () => {
    const r = await runBench({ BENCH_SIZE: 'tiny', BENCH_OUT_DIR: out });
    assert.equal(r.code, 0, `bench exited with ${r.code}:\n${r.stderr.slice(-2000)}`);
    const files = readdirSync(out);
    assert.equal(files.length, 1, `one report expected, got ${files.join(', ')}`);
    assert.match(files[0]!, /^\d{4}-\d{2}-\d{2}-\d{4}-tiny\.md$/);
    const md = readFileSync(path.join(out, files[0]!), 'utf8');
    assert.ok(r.stdout.includes(md.trim()), 'the report is printed on stdout');

    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Scenario'))
      .map((l) => l.slice(2, -2).split(' | '));
    const expected: Array<[RegExp, string[]]> = [
      [/^Client ceiling \(8 streams\)$/, ['SSE events/s (1 I/O thread)', 'SSE events/s (2 I/O threads, indicative)', 'mock CPU (share of its core)', 'requests/s', 'client events / mock events']],
      [/^Timing accuracy \(8 streams\)$/, ['TTFT error p50 (ms)', 'TTFT error p99 (ms)', 'mean ITL error (ms)', 'ITL p99 (ms)', 'requests matched to the trace']],
      [/^Burst, 8 loops started together \(perf --parallel 8 -n 16\)$/, ['first-chunk error p50 (ms)', 'first-chunk error p99 (ms)', 'last-chunk error p50 (ms)', 'last-chunk error p99 (ms)', 'ITL error p50 / p99 (ms per token)', 'mean ITL error (ms per token)', 'requests matched to the trace']],
      [/^Burst, gamma arrivals CV 2 at \d+\/s \(~8 in flight\)$/, ['first-chunk error p50 (ms)', 'first-chunk error p99 (ms)', 'last-chunk error p50 (ms)', 'last-chunk error p99 (ms)', 'ITL error p50 / p99 (ms per token)', 'mean ITL error (ms per token)', 'requests matched to the trace']],
      [/^Open loop, Poisson 20 req\/s$/, ['achieved rate (req/s)', 'started / planned arrivals', 'llm_schedule_lag p99 (ms)', 'warns when behind']],
      [/^Open loop, Poisson 50 req\/s$/, ['achieved rate (req/s)', 'started / planned arrivals', 'llm_schedule_lag p99 (ms)', 'warns when behind']],
      [/^Memory, 4 streaming VUs$/, ['peak RSS (MiB)']],
      [/^Memory, 4 streaming VUs, --vus-per-context 16$/, ['peak RSS (MiB)']],
      [/^Memory, 8 streaming VUs$/, ['peak RSS (MiB)']],
      [/^Memory, 8 streaming VUs, --vus-per-context 16$/, ['peak RSS (MiB)']],
      [/^Metric memory, 10,000 -> 100,000 samples$/, ['heap + external growth (MiB)', 'RSS growth (MiB)']],
      [/^Startup \(warm cache\)$/, ['spawn -> first request (ms)']],
    ];
    for (const [scenario, measures] of expected) {
      for (const m of measures) {
        const row = rows.find((c) => scenario.test(c[0]!) && c[1] === m);
        assert.ok(row, `missing row ${scenario} / ${m} in:\n${md}`);
        assert.equal(row.length, 7);
        assert.match(row[6]!, /^(PASS|FAIL|info)$/);
        assert.doesNotMatch(row[2]!, /^n\/a$/, `${m}: no llmperf figure`);
      }
    }
    assert.equal(rows.length, expected.reduce((a, [, ms]) => a + ms.length, 0), 'no error rows');
    // The cross-checks hold even in the tiny run: every event and every request is accounted for.
    for (const m of ['client events / mock events', 'requests matched to the trace']) {
      const checks = rows.filter((c) => c[1] === m);
      assert.ok(checks.length > 0 && checks.every((c) => c[6] === 'PASS'), `${m} cross-check: ${checks.map((c) => `${c[0]}: ${c[6]}`).join('; ')}`);
    }
  });

  test('an unknown BENCH_ONLY scenario is refused with the valid names', { timeout: 30_000 }, async () => {
    const r = await runBench({ BENCH_SIZE: 'tiny', BENCH_ONLY: 'ceilingz', BENCH_OUT_DIR: out });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown scenario "ceilingz".*ceiling, accuracy/);
  });
});

describe('bench helpers', () => {
  test('accuracy: client timings are compared with the mock trace by request id', () => {
    const trace = new Map([
      ['a', { requestId: 'a', recv: 1000, first: 1200, last: 1260, chunks: 4, outcome: 'ok' }],
      ['b', { requestId: 'b', recv: 2000, first: null, last: null, chunks: 0, outcome: 'aborted' }],
    ]);
    const e = compare([
      { rid: 'a', ttft: 201.5, itl: [20, 21, 22] },
      { rid: 'b', ttft: 5, itl: [] },
      { rid: 'zz', ttft: 5, itl: [] },
    ], trace);
    assert.equal(e.matched, 1);
    assert.equal(e.total, 3);
    assert.deepEqual(e.ttftErr, [1.5]);
    assert.ok(Math.abs(e.itlMeanErr[0]! - 1) < 1e-9); // client mean 21, server 60/3 = 20
    assert.deepEqual(e.itlAll, [20, 21, 22]);
  });

  test('open loop: the planned Poisson count is near rate x duration and seeded', () => {
    const n = plannedArrivals(200, 30_000);
    assert.ok(Math.abs(n - 6000) < 6000 * 0.05, String(n));
    assert.equal(plannedArrivals(200, 30_000), n);
    assert.notEqual(plannedArrivals(200, 30_000, 2), n);
  });

  test('percentile interpolates between ranks', () => {
    assert.equal(percentile([3, 1, 2, 4], 50), 2.5);
    assert.equal(percentile([5], 99), 5);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});
