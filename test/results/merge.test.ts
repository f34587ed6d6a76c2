// llmperf merge (runtime/results/merge.ts): 4 local instances (segments of one plan) merged, versus one
// instance running the whole plan; the exit code on merged thresholds; stores from another schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { startMockServer } from '../../runtime/mock/index.ts';
import { runCli, tempFiles } from '../helpers.ts';

const SEQ = '0,1/4,2/4,3/4,1';

test('merge of 4 segment instances equals the single-instance plan; percentiles are exact to HDR precision', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: { min: 4, max: 12 }, jitterPct: 0.5 });
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = {
  scenarios: {
    open: { executor: 'constant-arrival-rate', rate: 40, duration: '1s', arrival: 'poisson', seed: 11, preAllocatedVUs: 40 },
    closed: { executor: 'per-vu-iterations', vus: 4, iterations: 5 },
  },
  thresholds: { llm_req_failed: ['rate<0.01'], llm_ttft: ['p(99)<5000'] },
};
export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 12 });
  check(r, { ok: (x) => x.ok });
}
`,
    });
    const s = path.join(dir, 's.ts');
    const segs = ['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1'];
    const runs = await Promise.all([
      runCli(['run', s, '--url', mock.url, '--out-dir', path.join(dir, 'whole'), '--quiet'], { cwd: dir }),
      ...segs.map((g, i) =>
        runCli(['run', s, '--url', mock.url, '--execution-segment', g, '--execution-segment-sequence', SEQ, '--out-dir', path.join(dir, 'inst', String(i)), '--quiet'], { cwd: dir }),
      ),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const m = await runCli(['merge', ...[0, 1, 2, 3].map((i) => path.join(dir, 'inst', String(i))), '--out', path.join(dir, 'merged')], { cwd: dir });
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stderr, /merged 4 instances \(\d+ stored requests\)/);

    const read = (d: string) => JSON.parse(readFileSync(path.join(dir, d, 'summary.json'), 'utf8')) as {
      llm: { requests: number; percentiles: Record<string, Record<string, number>> };
      iterations: { completed: number };
      thresholds: Array<{ ok: boolean }>;
      metrics: Record<string, { values: Record<string, number> }>;
    };
    const whole = read('whole');
    const merged = read('merged');
    const dropped = (d: string) => (JSON.parse(readFileSync(path.join(dir, d, 'summary.json'), 'utf8')) as { iterations: { dropped: number } }).iterations.dropped;
    assert.equal(dropped('whole') + dropped('merged'), 0, 'no arrival was dropped (else the schedules cannot be compared)');
    assert.equal(merged.llm.requests, whole.llm.requests);
    assert.equal(merged.iterations.completed, whole.iterations.completed);
    assert.equal(merged.thresholds.length, 2);
    assert.ok(merged.thresholds.every((t) => t.ok));

    const rows = (d: string) => {
      const db = new Database(path.join(dir, d, 'requests.sqlite'), { readonly: true });
      try {
        return db.prepare('SELECT * FROM requests').all() as Array<Record<string, unknown>>;
      } finally {
        db.close();
      }
    };
    const mrows = rows('merged');
    assert.equal(mrows.length, merged.llm.requests);
    assert.deepEqual([...new Set(mrows.map((r) => r.instance))].sort(), ['0', '1', '2', '3']);
    // the union of planned starts is the single instance's schedule
    const planned = (rs: Array<Record<string, unknown>>) => rs.filter((r) => r.scenario === 'open').map((r) => r.planned_start_ms as number).sort((a, b) => a - b);
    const pu = planned(mrows);
    const pw = planned(rows('whole'));
    assert.equal(pu.length, pw.length);
    pu.forEach((t, i) => assert.ok(Math.abs(t - pw[i]!) < 1e-6, `planned ${i}: ${t} vs ${pw[i]}`));
    // merged percentiles equal the exact percentiles of all rows, within HDR precision (0.1 %)
    const ttft = mrows.filter((r) => r.ok === 1).map((r) => r.ttft_ms as number).sort((a, b) => a - b);
    for (const p of [50, 90, 99]) {
      const exact = ttft[Math.max(0, Math.ceil((p / 100) * ttft.length) - 1)]!;
      const got = merged.metrics.llm_ttft!.values[`p(${p})`] ?? merged.llm.percentiles.llm_ttft![`p(${p})`]!;
      assert.ok(Math.abs(got - exact) <= exact * 0.002 + 0.002, `p(${p}) merged ${got} vs exact ${exact}`);
    }
    assert.equal(merged.metrics.llm_ttft!.values.count, ttft.length);
  } finally {
    await mock.close();
  }
});

test('merge exits 99 when a threshold fails on the merged data, and 104 on a missing directory', async () => {
  const dir = tempFiles({
    's.ts': `export const options = { vus: 1, iterations: 2, thresholds: { iterations: ['count>3'] } };\nexport default function () {}\n`,
  });
  const s = path.join(dir, 's.ts');
  // each instance alone fails count>3 (2 iterations); merged they have 4
  for (const i of [0, 1]) {
    const r = await runCli(['run', s, '--out-dir', path.join(dir, String(i)), '--quiet'], { cwd: dir });
    assert.equal(r.code, 99);
  }
  const ok = await runCli(['merge', path.join(dir, '0'), path.join(dir, '1'), '--out', path.join(dir, 'm'), '--quiet'], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await runCli(['merge', path.join(dir, '0'), '--out', path.join(dir, 'm2'), '--quiet'], { cwd: dir });
  assert.equal(bad.code, 99, bad.stderr);
  const missing = await runCli(['merge', path.join(dir, 'nope'), '--out', path.join(dir, 'm3')], { cwd: dir });
  assert.equal(missing.code, 104);
  assert.match(missing.stderr, /run directory not found/);
});

test('merge refuses a requests.sqlite that lacks a column of the requests table, naming the column', async () => {
  const dir = tempFiles({ 's.ts': `export const options = { vus: 1, iterations: 1 };\nexport default function () {}\n` });
  const r = await runCli(['run', path.join(dir, 's.ts'), '--out-dir', path.join(dir, '0'), '--quiet'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const db = new Database(path.join(dir, '0', 'requests.sqlite'));
  try {
    db.exec('ALTER TABLE requests DROP COLUMN good');
  } finally {
    db.close();
  }
  const m = await runCli(['merge', path.join(dir, '0'), '--out', path.join(dir, 'm'), '--quiet'], { cwd: dir });
  assert.equal(m.code, 104, m.stderr);
  assert.match(m.stderr, /requests\.sqlite has no column good in its requests table: merge run directories written by the same llmperf version/);
});
