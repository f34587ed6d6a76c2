// Thresholds in real runs: abortOnFail, bad thresholds before any request, goodput, handleSummary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { run } from '../../runtime/api.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import { runCli, tempFiles } from '../helpers.ts';

test('abortOnFail stops the run within a few seconds of the breach and exits 99', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '60s' } },
  thresholds: { llm_ttft: [{ threshold: 'p(95)<10', abortOnFail: true }] },
};
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }); }
`,
  });
  const t0 = Date.now();
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {}, mockOptions: { ttft: '50ms', itl: '1ms' } });
  assert.equal(out.exitCode, 99);
  assert.ok(Date.now() - t0 < 10_000, `stopped after ${Date.now() - t0} ms`);
  assert.equal(out.summary.state.stopReason, 'threshold-abort');
  assert.match(out.stdout, /✗ 'p\(95\)<10'/);
});

test('a bad threshold exits 104 before any request is sent', async () => {
  const mock = await startMockServer({ ttftMs: 1, itlMs: 1, outputTokens: 2 });
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
export const options = { vus: 1, iterations: 3, thresholds: { llm_ttft: ['p95<500'] } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }] }); }
`,
    });
    const r = await runCli(['run', path.join(dir, 's.ts'), '--url', mock.url], { cwd: dir });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, /thresholds\["llm_ttft"\]\[0\].*"p95<500".*did you mean p\(95\)/);
    assert.equal(mock.stats().requests, 0);
    await assert.rejects(
      run({ script: { source: `export const options = { thresholds: { llm_ttfx: ['avg<1'] } };\nexport default function () {}\n`, baseDir: dir }, log: () => {} }),
      (e: unknown) => e instanceof ConfigError && /unknown metric "llm_ttfx" \(did you mean llm_ttf[bt]\?\)/.test(e.message),
    );
  } finally {
    await mock.close();
  }
});

test('goodput under options.slo: counted per request and usable in thresholds', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
export const options = {
  vus: 2, iterations: 10,
  slo: { ttft: 100, tpot: 50 },
  thresholds: { llm_goodput: ['count>=5'] },
};
export default async function () {
  // half the requests are slow (ttft 200 ms through the mock's per-request override)
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4, mock: { ttft_ms: __ITER % 2 === 0 ? 10 : 200 } } as never);
}
`,
  });
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {}, mockOptions: { ttft: '10ms', itl: '2ms' } });
  assert.equal(out.summary.llm.requests, 10);
  const good = out.summary.metrics.llm_goodput!.values.count!;
  assert.ok(good >= 3 && good <= 7, `good ${good}`);
  assert.ok(Math.abs(out.summary.llm.goodputShare! - good / 10) < 1e-9);
  assert.match(out.stdout, /Goodput\s+\d+\.\d+ req\/s \(\d+\.\d+% of requests meet ttft<=100ms, tpot<=50ms\)/);
});

test('handleSummary(data) writes the files it returns and replaces stdout; --summary-export writes JSON', async () => {
  const dir = tempFiles({
    's.ts': `export const options = { vus: 1, iterations: 2 };
export default function () {}
export function handleSummary(data: { metrics: Record<string, { values: Record<string, number> }> }) {
  return {
    stdout: 'custom summary: ' + data.metrics.iterations.values.count + ' iterations\\n',
    'out/summary.txt': 'iterations=' + data.metrics.iterations.values.count,
    'out/data.json': JSON.stringify(data),
  };
}
`,
  });
  const r = await runCli(['run', path.join(dir, 's.ts'), '--summary-export', path.join(dir, 'export.json')], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'custom summary: 2 iterations');
  assert.equal(readFileSync(path.join(dir, 'out/summary.txt'), 'utf8'), 'iterations=2');
  const data = JSON.parse(readFileSync(path.join(dir, 'out/data.json'), 'utf8')) as { schemaVersion: number; root_group: unknown };
  assert.equal(data.schemaVersion, 1);
  assert.ok(existsSync(path.join(dir, 'export.json')));
  const exp = JSON.parse(readFileSync(path.join(dir, 'export.json'), 'utf8')) as { metrics: Record<string, unknown> };
  assert.ok(exp.metrics.iterations);
});
