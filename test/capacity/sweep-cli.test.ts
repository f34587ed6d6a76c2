// `llmperf sweep` end to end (the built CLI against the built-in mock): explicit levels, levels from
// options.sweep, and the automatic profile.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempFiles } from '../helpers.ts';
import { autoRates } from '../../runtime/sweep/levels.ts';

interface Point {
  label: string;
  concurrency?: number;
  rate?: number;
  ok: boolean;
  goodput: number | null;
  stats: { requestThroughput: number; iterationThroughput: number; requests: number };
  latency: { llm_ttft: { p50: number; p99: number } };
  summary: { llm: { requests: number } };
}

const chat = `
import llm from 'llmperf/llm';
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 });
}
`;
const mock = ['--mock', 'ttft=20ms', '--mock', 'itl=2ms', '--mock', 'output-tokens=8'];
let dir: string;
before(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT });
  dir = tempFiles({
    'chat.ts': chat,
    'levels.ts': `export const options = { sweep: { rate: [10, 40], levelDuration: '1s' } };\n${chat}`,
  });
});

const read = (d: string) => JSON.parse(readFileSync(path.join(d, 'sweep.json'), 'utf8')) as Point[];

test('sweep --concurrency: one table row and one sweep.json point per level, and a report with the curves', async () => {
  const out = path.join(dir, 'c');
  const r = await runCli(['sweep', path.join(dir, 'chat.ts'), '--concurrency', '1,4', '--level-duration', '1s', '--slo', 'p99(llm_ttft)<1000', '--out-dir', out, ...mock]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Level\s+req\/s\s+out tok\/s\s+TTFT p50\s+TTFT p99\s+TPOT p50\s+TPOT p99\s+E2E p50\s+E2E p99\s+success\s+goodput\s+SLOs$/m);
  assert.match(r.stdout, /^1 VU\s+[\d.]+\s+[\d.]+\s+.*100\.0%\s+[\d.]+\s+✓$/m);
  assert.match(r.stdout, /^4 VUs\s+/m);
  assert.match(r.stderr, /^\[1\/2\] 1 VU for 1s\.\.\.$/m);
  assert.equal(r.stderr.match(/benchmarking the built-in mock/g)?.length, 1, 'the mock notice once, not per level');
  const pts = read(out);
  assert.deepEqual(pts.map((p) => [p.label, p.concurrency]), [['1 VU', 1], ['4 VUs', 4]]);
  // 4 closed-loop VUs get about 4x the throughput of 1 against a server that does not slow down
  const ratio = pts[1]!.stats.requestThroughput / pts[0]!.stats.requestThroughput;
  assert.ok(ratio > 2.5 && ratio < 5, `throughput ratio ${ratio}`);
  assert.ok(pts.every((p) => p.ok && p.goodput !== null && p.summary.llm.requests > 0 && p.latency.llm_ttft.p99 >= 20));
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /id="sweep-ttft-req"/);
});

test('sweep: levels and their duration from options.sweep; rate levels are open loop', async () => {
  const out = path.join(dir, 'r');
  const r = await runCli(['sweep', path.join(dir, 'levels.ts'), '--out-dir', out, ...mock]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^\[1\/2\] 10 req\/s for 1s\.\.\.$/m);
  const pts = read(out);
  assert.deepEqual(pts.map((p) => p.rate), [10, 40]);
  assert.ok(pts[1]!.stats.requests > pts[0]!.stats.requests * 1.8, `${pts.map((p) => p.stats.requests)}`);
  assert.equal(pts[0]!.goodput, null, 'no --slo: no goodput');
});

test('sweep --profile auto: synchronous, saturating, then rates evenly spaced up to the saturating throughput', async () => {
  const out = path.join(dir, 'a');
  const r = await runCli(['sweep', path.join(dir, 'chat.ts'), '--profile', 'auto', '--levels', '4', '--saturation-vus', '8', '--level-duration', '1s', '--out-dir', out, ...mock]);
  assert.equal(r.code, 0, r.stderr);
  const pts = read(out);
  assert.deepEqual(pts.map((p) => p.label.replace(/[\d.]+ req\/s/, 'R')), ['synchronous', 'saturation (8 VUs)', 'R', 'R']);
  const [sync, sat] = pts;
  assert.deepEqual(pts.slice(2).map((p) => p.rate), autoRates(sync!.stats.iterationThroughput, sat!.stats.iterationThroughput, 4));
  assert.ok(sat!.stats.iterationThroughput > 4 * sync!.stats.iterationThroughput);
});

test('sweep: no levels anywhere is a configuration error', async () => {
  const r = await runCli(['sweep', path.join(dir, 'chat.ts'), '--no-save']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /give the levels: --concurrency 1,2,4,8, --rate 1,2,5,10, --profile auto, or options\.sweep/);
});
