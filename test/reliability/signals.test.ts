// Signals: the first SIGINT/SIGTERM stops new iterations and lets in-flight ones finish; the second stops at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runCli, tempFiles } from '../helpers.ts';

function storedRows(dir: string): Array<{ ok: number; error_code: string | null }> {
  const db = new Database(path.join(dir, 'requests.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT ok, error_code FROM requests').all() as Array<{ ok: number; error_code: string | null }>;
  } finally {
    db.close();
  }
}

const script = (ttft: string) => `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '60s', gracefulStop: '30s' } } };
export default async function () {
  // with a 20 s mock, each VU's first request is fast (it completes), the next ones hang
  const fast = ${ttft === '20s' ? '__ITER === 0' : 'true'};
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4, ...(fast ? { mock: { ttft_ms: 5 } } : {}) } as never);
}
`;

function waitFor(pred: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const i = setInterval(() => {
      if (pred()) {
        clearInterval(i);
        resolve();
      } else if (Date.now() - t0 > ms) {
        clearInterval(i);
        reject(new Error('timed out waiting'));
      }
    }, 50);
  });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`first ${sig}: in-flight iterations finish, the summary is printed, exit 105`, async () => {
    const dir = tempFiles({ 's.ts': script('200ms') });
    let pid = 0;
    const started = Date.now();
    const p = runCli(['run', path.join(dir, 's.ts'), '--mock', 'ttft=200ms', '--mock', 'itl=5ms', '--out-dir', path.join(dir, 'out')], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 30_000 });
    await waitFor(() => pid > 0, 5000);
    // the run has started (run.json is written once the script is loaded and the target is up):
    // on a busy machine loading alone can take seconds, and a signal then stops before the run
    await waitFor(() => existsSync(path.join(dir, 'out', 'run.json')), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(pid, sig);
    const r = await p;
    assert.equal(r.code, 105, r.stderr);
    assert.ok(Date.now() - started < 15_000, 'stopped well before the 60 s duration');
    assert.match(r.stderr, new RegExp(`${sig} received: stopping new iterations`));
    assert.match(r.stdout, /stopped early: interrupted/);
    const m = /Requests\s+(\d+) total, (\d+) succeeded, (\d+) failed/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) >= 8, 'requests before the signal were counted');
    assert.equal(m[3], '0', 'in-flight requests finished instead of failing');
    // what was saved: the summary, the report and every request in the store
    const out = path.join(dir, 'out');
    for (const f of ['summary.json', 'requests.sqlite', 'report.html', 'run.json', 'metrics.hdr']) assert.ok(existsSync(path.join(out, f)), f);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { llm: { requests: number }; state: { stopReason: string } };
    assert.equal(summary.state.stopReason, 'interrupted');
    assert.equal(storedRows(out).length, summary.llm.requests);
  });
}

test('second SIGINT: stops at once, in-flight requests are cancelled, exit 105', async () => {
  const dir = tempFiles({ 's.ts': script('20s') });
  let pid = 0;
  // alternate fast and very slow requests: some complete before the signals, some are in flight
  const p = runCli(['run', path.join(dir, 's.ts'), '--mock', 'ttft=20s', '--out-dir', path.join(dir, 'out')], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 30_000 });
  await waitFor(() => pid > 0, 5000);
  await waitFor(() => existsSync(path.join(dir, 'out', 'run.json')), 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(pid, 'SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  process.kill(pid, 'SIGINT');
  const r = await p;
  assert.equal(r.code, 105, r.stderr);
  assert.ok(Date.now() - t0 < 6000, `exited ${Date.now() - t0} ms after the second signal`);
  assert.match(r.stderr, /SIGINT received again: stopping now/);
  // the store holds every request completed before the second signal (all fast ones), none lost
  const rows = storedRows(path.join(dir, 'out'));
  const done = rows.filter((x) => x.ok === 1).length;
  assert.ok(done >= 4, `completed requests stored: ${done}`);
  assert.ok(rows.every((x) => x.ok === 1 || x.error_code === 'ABORTED'), JSON.stringify(rows));
});
