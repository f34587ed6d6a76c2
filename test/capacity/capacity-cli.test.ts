// `llmperf capacity` end to end: the built CLI against the mock server in load mode, whose knee is
// known analytically.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer } from '../../runtime/mock/index.ts';
import { ROOT, runCli, tempFiles } from '../helpers.ts';

// Latencies large against what a busy machine adds (tens of ms): the search goes wrong by more than
// one step only if scheduling adds SLO_MS - worst(knee - 1) = 120 ms to the p99.
const TTFT = 100;
const ITL = 2;
const PER_INFLIGHT = 80;
const SLO_MS = 700;
const script = `
import llm from 'llmperf/llm';
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 });
}
`;

let mock: Awaited<ReturnType<typeof startMockServer>>;
let dir: string;
before(async () => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT });
  mock = await startMockServer({ ttftMs: TTFT, itlMs: ITL, outputTokens: 16, load: { ttftPerInflightMs: PER_INFLIGHT, itlPerInflightMs: 0 } });
  dir = tempFiles({ 'chat.ts': script });
});
after(async () => {
  await mock?.close();
});

test('capacity over concurrency finds the knee of p99(llm_ttft) within one step', async (t) => {
  // c VUs in a closed loop: a request arrives while up to c-1 others are in flight, so the worst
  // TTFT is TTFT + (c-1)·PER_INFLIGHT; the largest c keeping it under the SLO:
  const worst = (c: number) => TTFT + (c - 1) * PER_INFLIGHT;
  let knee = 1;
  while (worst(knee + 1) < SLO_MS) knee++;
  assert.equal(knee, 8);
  const out = path.join(dir, 'cap');
  const t0 = Date.now();
  const r = await runCli(['capacity', path.join(dir, 'chat.ts'), '--url', mock.url, '--slo', `p99(llm_ttft)<${SLO_MS}`, '--over', 'concurrency', '--max', '16', '--level-duration', '1500ms', '--warmup', '300ms', '--out-dir', out], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  const m = new RegExp(String.raw`^capacity: (\d+) VUs \(concurrency\), (confirmed|not confirmed) — [\d.]+ req\/s, goodput [\d.]+ req\/s; above it, at (\d+) VUs, p99\(llm_ttft\)<${SLO_MS} breaks first`, 'm').exec(r.stdout);
  assert.ok(m, r.stdout);
  const found = Number(m[1]);
  assert.ok(Math.abs(found - knee) <= 1, `found ${found}, knee ${knee}\n${r.stderr}`);
  t.diagnostic(`capacity found: ${found} VUs (analytic knee ${knee})`);
  assert.ok(Number(m[3]) > found);
  // the steps were printed as the search went
  assert.match(r.stderr, /^\[bracket\] 1 VU: .* ✓$/m);
  assert.match(r.stderr, new RegExp(String.raw`^\[bracket\] (8|16) VUs: .* ✗ p99\(llm_ttft\)<${SLO_MS} \(\d+`, 'm')); // doubling stops at the first failure
  assert.match(r.stderr, /^\[bisect\] \d+ VUs: /m);
  if (m[2] === 'confirmed') assert.match(r.stderr, new RegExp(`^\\[confirm\\] ${found} VUs: .* ✓$`, 'm'));
  // the table of every level, then the files
  assert.match(r.stdout, /^Level\s+req\/s\s+out tok\/s\s+TTFT p50\s+TTFT p99.*goodput\s+SLOs$/m);
  const cap = JSON.parse(readFileSync(path.join(out, 'capacity.json'), 'utf8')) as { capacity: number; confirmed: boolean; steps: Array<{ phase: string; value: number; ok: boolean }> };
  assert.equal(cap.capacity, found);
  assert.deepEqual(cap.steps.slice(0, 4).map((s) => s.value), [1, 2, 4, 8].slice(0, cap.steps.length));
  const sweep = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) as Array<{ concurrency: number; ok: boolean; summary: { llm: { requests: number } } }>;
  assert.equal(sweep.length, cap.steps.length);
  assert.deepEqual(sweep.map((p) => p.concurrency), [...sweep.map((p) => p.concurrency)].sort((a, b) => a - b));
  for (const p of sweep) {
    if (p.concurrency <= knee / 4) assert.equal(p.ok, true, `${p.concurrency} VUs: worst TTFT far below the SLO\n${r.stderr}`);
    if (p.concurrency >= knee + 2) assert.equal(p.ok, false, `${p.concurrency} VUs: even the median TTFT breaks the SLO\n${r.stderr}`);
  }
  assert.ok(sweep.every((p) => p.summary.llm.requests > 0));
  assert.ok(existsSync(path.join(out, 'report.html')));
  assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
});

test('capacity exits 99 when even the minimum load breaks an SLO, and says which', async () => {
  const r = await runCli(['capacity', path.join(dir, 'chat.ts'), '--url', mock.url, '--slo', 'rate(llm_req_failed)<0.01', '--slo', 'p99(ttft)<15', '--max', '4', '--level-duration', '1s', '--no-save']);
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stdout, /^capacity: none — even 1 VU fails: p99\(ttft\)<15 breaks first \(\d+/m);
});

test('capacity over rate stops a saturated level early instead of running it to the end', async () => {
  // arrivals at 200/s against a server that serves at most ~100/s: in-flight and TTFT grow without bound
  const slow = await startMockServer({ ttftMs: 20, itlMs: ITL, outputTokens: 16, load: { ttftPerInflightMs: 10, itlPerInflightMs: 0 } });
  const t0 = Date.now();
  const r = await runCli(['capacity', path.join(dir, 'chat.ts'), '--url', slow.url, '--over', 'rate', '--slo', 'p99(llm_ttft)<100', '--min', '200', '--max', '200', '--level-duration', '30s', '--no-save']).finally(() => slow.close());
  const took = Date.now() - t0;
  assert.equal(r.code, 99, r.stderr);
  // saturation shows as in-flight requests and TTFT growing, or (on a busy machine, whose VUs start
  // more slowly) as arrivals dropped with every VU busy: either way the level is cut short
  assert.match(r.stdout, /^capacity: none — even 200 req\/s fails: saturated: (in-flight requests \d+ → \d+ and TTFT \d+ → \d+ ms|\d+ of \d+ arrivals dropped, every VU busy)/m);
  assert.match(r.stdout, /200 req\/s .*✗ saturated/);
  assert.ok(took < 20_000, `the 30 s level was not cut short: ${took} ms`);
});

test('capacity: bad SLOs and flags are configuration errors (exit 104)', async () => {
  const a = await runCli(['capacity', path.join(dir, 'chat.ts'), '--slo', 'p99(llm_ttft)']);
  assert.equal(a.code, 104);
  assert.match(a.stderr, /--slo "p99\(llm_ttft\)": not an SLO expression/);
  const b = await runCli(['capacity', path.join(dir, 'chat.ts'), '--slo', 'p99(llm_tfft)<5', '--no-save']);
  assert.equal(b.code, 104);
  assert.match(b.stderr, /unknown metric "llm_tfft".*llm_ttft/);
  const c = await runCli(['capacity', path.join(dir, 'chat.ts'), '--slo', 'p99(llm_ttft)<5', '--min', '8', '--max', '4', '--no-save']);
  assert.equal(c.code, 104);
});
