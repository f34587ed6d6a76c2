// Measured TTFT / ITL / TPOT / E2E against what the mock really sent (its trace) at low load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import type { TraceRecord } from '../../runtime/mock/trace.ts';
import { readFileSync } from 'node:fs';
import { tempFiles } from '../helpers.ts';

/**
 * What the mock really sent, read from its trace file (CLOCK_MONOTONIC ms, runtime/mock/trace.ts),
 * keyed by the x-request-id each request carried. On a busy machine the mock's timers fire late too:
 * the client's figures are compared with what the server actually did, not with the nominal schedule.
 */
function traceById(file: string): Map<string, TraceRecord> {
  const out = new Map<string, TraceRecord>();
  for (const l of readFileSync(file, 'utf8').trim().split('\n')) {
    const t = JSON.parse(l) as TraceRecord;
    if (t.requestId) out.set(t.requestId, t);
  }
  return out;
}

/** How late the client may see bytes the server wrote (scheduling on a busy machine), ms. */
const DELIVERY_MS = 60;

test('TTFT, E2E and TPOT match what the mock really sent (its trace), and never beat its schedule', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
export const options = { vus: 2, iterations: 10 };
export default async function () {
  const id = 'r' + __VU + '-' + __ITER;
  await llm.chat({ messages: [{ role: 'user', content: 'hello there' }] }, { headers: { 'x-request-id': id }, tags: { rid: id } });
}
`,
  });
  const traceFile = path.join(dir, 'trace.jsonl');
  const mock = await startMockServer({ ttftMs: 100, itlMs: 10, outputTokens: 16, traceFile });
  const recs: RequestRecord[] = [];
  let out: Awaited<ReturnType<typeof run>>;
  try {
    out = await run({ script: path.join(dir, 's.ts'), overrides: { url: mock.url }, log: () => {}, listeners: [{ onRecord: (r) => recs.push(r) }] });
  } finally {
    await mock.close();
  }
  const trace = traceById(traceFile);
  assert.equal(out.exitCode, 0);
  assert.equal(recs.length, 10);
  for (const r of recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.outputTokens, 16);
    assert.equal(r.outputTokenSource, 'usage');
    assert.equal(r.chunks, 16);
    assert.equal(r.itl.length, 15);
    const t = trace.get(r.tags.rid!);
    assert.ok(t && t.first !== null && t.last !== null, `trace line of ${r.tags.rid}`);
    const sentFirst = t.first! - r.startMono!;
    const sentLast = t.last! - r.startMono!;
    // measured from just before the request was written to the arrival of the bytes: never before
    // the server wrote them (1 ms of clock granularity), and not much later
    assert.ok(r.ttft! >= sentFirst - 1 && r.ttft! - sentFirst < DELIVERY_MS, `ttft ${r.ttft} vs sent at ${sentFirst.toFixed(1)}`);
    assert.ok(r.e2e! >= sentLast - 1 && r.e2e! - sentLast < DELIVERY_MS, `e2e ${r.e2e} vs sent at ${sentLast.toFixed(1)}`);
    assert.ok(Math.abs(r.tpot! - (t.last! - t.first!) / 15) < (2 * DELIVERY_MS) / 15, `tpot ${r.tpot} vs sent ${(t.last! - t.first!) / 15}`);
    // the mock is never early: its schedule is a floor
    assert.ok(r.ttft! >= 99 && r.e2e! >= 249, `ttft ${r.ttft}, e2e ${r.e2e}`);
    assert.ok(r.ttfb! < r.ttft!, 'headers come before the first token');
    const sum = r.itl.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - (r.e2e! - r.ttft!)) < 0.01, 'the ITL gaps add up to e2e - ttft');
  }
  const ttfts = recs.map((r) => r.ttft!).sort((a, b) => a - b);
  const p50 = out.summary.llm.percentiles.llm_ttft!['p(50)']!;
  assert.ok(p50 >= ttfts[0]! - 1 && p50 <= ttfts[ttfts.length - 1]! + 1, `p50 ttft ${p50} within the measured ${ttfts[0]}..${ttfts.at(-1)}`);
  assert.equal(out.summary.llm.requests, 10);
  assert.equal(out.summary.llm.outputTokens, 160);
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
    // 4 chunks of 3 tokens: 3 gaps per request, each ~12 ms, each giving 3 token samples of a third
    assert.equal(itl.count, 9);
    assert.equal(itlTok.count, 27);
    // the server spaces chunks 12 ms apart; a chunk read late on a busy machine shortens the gap
    // before it and lengthens the one after, so only the ceiling is firm (the pace itself is judged
    // against the mock's trace in the first test)
    assert.ok(itl.avg! > 0 && itl.avg! < 12 + DELIVERY_MS / 3, `itl ${itl.avg}`);
    assert.ok(Math.abs(itlTok.avg! - itl.avg! / 3) < 0.05, `itl_token ${itlTok.avg} is a third of itl ${itl.avg}`);
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
