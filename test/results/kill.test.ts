// A run that is stopped keeps its results: SIGKILL keeps every committed request row (WAL),
// SIGINT (exit 105) still writes summary.json and the complete store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempFiles } from '../helpers.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { chatScript, countRows, waitFor, withDb } from './helpers.ts';

const SLOW_MOCK = ['--mock', 'ttft=50ms', '--mock', 'itl=5ms', '--mock', 'output-tokens=8'];

test('SIGKILL mid-run: the requests completed so far are in requests.sqlite, each row complete', async () => {
  const dir = tempFiles({ 'slow.ts': chatScript(0) });
  const db = path.join(dir, 'out', 'requests.sqlite');
  let pid = 0;
  const p = runCli(['run', 'slow.ts', ...SLOW_MOCK, '--out-dir', 'out', '-q'], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 30_000 });
  await waitFor(() => countRows(db) >= 12, 20_000, 'rows in requests.sqlite');
  process.kill(pid, 'SIGKILL');
  const r = await p;
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(!existsSync(path.join(dir, 'out', 'summary.json')), 'killed before the end: no summary');
  withDb(db, (d) => {
    const rows = d.prepare('SELECT * FROM requests').all() as Array<Record<string, unknown>>;
    assert.ok(rows.length >= 12, `${rows.length} rows kept`);
    for (const row of rows) {
      assert.equal(row.ok, 1);
      assert.equal(row.status, 200);
      assert.equal(row.output_tokens, 8);
      assert.ok(typeof row.ttft_ms === 'number' && typeof row.e2e_ms === 'number' && (row.e2e_ms as number) >= (row.ttft_ms as number));
      assert.equal((JSON.parse(String(row.itl_ms)) as number[]).length, 7);
    }
    const ids = rows.map((x) => x.id as number);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate rows');
    const run = d.prepare('SELECT ended_at, exit_code FROM runs').get();
    assert.deepEqual(run, { ended_at: null, exit_code: null }, 'the run row shows the run never ended');
  });
});

test('SIGINT mid-run: exit 105, summary.json written, the store holds every request of the summary', async () => {
  const dir = tempFiles({ 'slow.ts': chatScript(0) });
  const out = path.join(dir, 'out');
  let pid = 0;
  const p = runCli(['run', 'slow.ts', ...SLOW_MOCK, '--out-dir', 'out', '-q'], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 30_000 });
  await waitFor(() => countRows(path.join(out, 'requests.sqlite')) >= 8, 20_000, 'rows in requests.sqlite');
  process.kill(pid, 'SIGINT');
  const r = await p;
  assert.equal(r.code, 105, r.stderr);
  assert.match(r.stderr, /^results: out$/m);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SummaryData;
  assert.equal(summary.state.stopReason, 'interrupted');
  assert.ok(existsSync(path.join(out, 'metrics.hdr')) && existsSync(path.join(out, 'report.html')));
  withDb(path.join(out, 'requests.sqlite'), (d) => {
    const n = (d.prepare(`SELECT count(*) AS n FROM requests WHERE coalesce(error_code, '') <> 'ABORTED'`).get() as { n: number }).n;
    assert.equal(n, summary.llm.requests);
    assert.deepEqual(d.prepare('SELECT exit_code, stop_reason FROM runs').get(), { exit_code: 105, stop_reason: 'interrupted' });
  });
});
