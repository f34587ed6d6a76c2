// Measured TTFT / ITL / TPOT / E2E against the mock's known schedule at low load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import { tempFiles } from '../helpers.ts';

test('TTFT, ITL, TPOT and E2E match the mock schedule within a few ms', async () => {
  const mock = await startMockServer({ ttftMs: 100, itlMs: 10, outputTokens: 16 });
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
export const options = { vus: 2, iterations: 10 };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'hello there' }] }); }
`,
    });
    const recs: RequestRecord[] = [];
    const out = await run({ script: path.join(dir, 's.ts'), overrides: { url: mock.url }, log: () => {}, listeners: [{ onRecord: (r) => recs.push(r) }] });
    assert.equal(out.exitCode, 0);
    assert.equal(recs.length, 10);
    for (const r of recs) {
      assert.ok(r.ok, r.errorMessage ?? '');
      assert.equal(r.outputTokens, 16);
      assert.equal(r.outputTokenSource, 'usage');
      assert.equal(r.chunks, 16);
      assert.equal(r.itl.length, 15);
      assert.ok(r.ttft! >= 100 && r.ttft! < 115, `ttft ${r.ttft} (all: ${recs.map((x) => x.ttft!.toFixed(1)).join(" ")})`);
      assert.ok(r.ttfb! < r.ttft!, 'headers come before the first token');
      // the last token is due at 100 + 15 * 10 = 250 ms
      assert.ok(r.e2e! >= 250 && r.e2e! < 262, `e2e ${r.e2e}`);
      assert.ok(Math.abs(r.tpot! - 10) < 0.7, `tpot ${r.tpot}`);
      const mean = r.itl.reduce((a, b) => a + b, 0) / r.itl.length;
      assert.ok(Math.abs(mean - 10) < 0.7, `mean itl ${mean}`);
    }
    const p50 = out.summary.llm.percentiles.llm_ttft!['p(50)']!;
    assert.ok(p50 >= 100 && p50 < 106, `p50 ttft ${p50}`);
    assert.equal(out.summary.llm.requests, 10);
    assert.equal(out.summary.llm.outputTokens, 160);
  } finally {
    await mock.close();
  }
});

test('chunks of several tokens: llm_itl is per chunk, llm_itl_token spreads each gap over its tokens', async () => {
  const mock = await startMockServer({ ttftMs: 20, itlMs: 12, outputTokens: 12, tokensPerChunk: 3 });
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
export const options = { vus: 1, iterations: 3 };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }] }); }
`,
    });
    // no connection test: it would be the mock's first request and shift its seeded texts, whose
    // lengths decide how the usage total is spread over the chunks (by characters)
    const out = await run({ script: path.join(dir, 's.ts'), overrides: { url: mock.url }, log: () => {}, testConnection: false });
    const itl = out.summary.metrics.llm_itl!.values;
    const itlTok = out.summary.metrics.llm_itl_token!.values;
    // 4 chunks of 3 tokens: 3 gaps per request, each ~12 ms, each giving 3 token samples of ~4 ms
    assert.equal(itl.count, 9);
    assert.equal(itlTok.count, 27);
    assert.ok(Math.abs(itl.avg! - 12) < 1, `itl ${itl.avg}`);
    assert.ok(Math.abs(itlTok.avg! - 4) < 0.4, `itl_token ${itlTok.avg}`);
  } finally {
    await mock.close();
  }
});

test('non-streaming requests: e2e only, usage counts, no TTFT', async () => {
  const mock = await startMockServer({ ttftMs: 30, itlMs: 2, outputTokens: 10 });
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = { vus: 1, iterations: 2 };
export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'x' }], stream: false });
  check(r, { 'text back': (x) => x.text.split(' ').length >= 10, 'no ttft': (x) => x.ttft === null, 'e2e': (x) => (x.e2e ?? 0) >= 30 });
}
`,
    });
    const out = await run({ script: path.join(dir, 's.ts'), overrides: { url: mock.url }, log: () => {} });
    for (const c of out.summary.root_group.checks) assert.equal(c.fails, 0, c.name);
    assert.equal(out.summary.llm.outputTokens, 20);
  } finally {
    await mock.close();
  }
});
