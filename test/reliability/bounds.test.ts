/**
 * Bounds and refusals: nothing a script or a flag says makes the output, the memory or the CPU grow
 * without limit, and signals are heard at every stage. Regressions for issue "Reliability and safety,
 * round two", items 8 and 9: `throw new Error('boom ' + __ITER)` gave 327,702 log lines and a 6.5 MB
 * summary.json; a 10 MB check name or tag went into a 42 MB summary.json; `vus: 1e9` and `rate: 1e9`
 * were accepted (and SIGTERM ignored meanwhile); `--isolate-memory -5`, `--vus-per-isolate 0` were
 * accepted, `--isolate-memory 1` exited 107 with a stack; CRLF in a --header failed every request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { checkMachineLimits } from '../../runtime/engine/limits.ts';
import { parseScenario, planScenario } from '../../runtime/executors/index.ts';
import { MAX_CHECKS, OTHER_CHECKS } from '../../runtime/metrics/limits.ts';
import { runCli, tempFiles } from '../helpers.ts';

test('script errors are de-duplicated by source position, with a few example messages', async () => {
  const dir = tempFiles({
    's.ts': `export const options = { vus: 2, iterations: 400 };
export default function () {
  throw new Error('boom ' + __ITER + ' ' + 'x'.repeat(__ITER % 2 ? 2000 : 1));
}
`,
  });
  const r = await runCli(['run', 's.ts', '--out-dir', 'out', '-q'], { cwd: dir, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.match(/script error at s\.ts:3:9/g)?.length, 1, 'reported once');
  assert.ok(r.stderr.length < 5000, `stderr is ${r.stderr.length} characters`);
  const summary = JSON.parse(readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8')) as { scriptErrors: Array<{ position: string; message: string; examples?: string[]; count: number }> };
  assert.equal(summary.scriptErrors.length, 1);
  const e = summary.scriptErrors[0]!;
  assert.equal(e.position, 's.ts:3:9');
  assert.equal(e.count, 400);
  assert.match(e.message, /^boom 0 x$/);
  assert.equal(e.examples?.length, 3);
  assert.ok(e.examples!.every((m) => m.length < 600), 'long messages are cut');
  assert.ok(statSync(path.join(dir, 'out', 'summary.json')).size < 60_000);
});

test('long check names and tags are cut, distinct check names are capped, each with one warning', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
import { check } from 'llmperf';
import { Counter } from 'llmperf/metrics';
const mine = new Counter('mine');
const BIG = 'y'.repeat(1_000_000);
export const options = { vus: 1, iterations: ${MAX_CHECKS + 100} };
export default async function () {
  if (__ITER < 3) await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }, { tags: { big: BIG }, name: BIG });
  check(1, { [BIG]: () => true });
  check(1, { ['c' + __ITER]: () => true });
  mine.add(1, { huge: BIG });
}
`,
  });
  const r = await runCli(['run', 's.ts', '--out-dir', 'out', '-q', '--out', 'json=points.jsonl'], { cwd: dir, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARN\[vu 1\] a check name of 1000000 characters was cut to 256/);
  assert.match(r.stderr, new RegExp(`more than ${MAX_CHECKS} distinct check names: the others are counted together as "\\(other checks\\)"`));
  assert.match(r.stderr, /WARN the value of tag "big" \(1000000 characters\) was cut to 256/);
  assert.ok(r.stdout.length < 200_000, `stdout is ${r.stdout.length} characters`);
  for (const f of ['summary.json', 'report.html', 'metrics.hdr', 'requests.sqlite']) {
    const size = statSync(path.join(dir, 'out', f)).size;
    assert.ok(size < 3_000_000, `${f} is ${size} bytes`);
  }
  assert.ok(statSync(path.join(dir, 'points.jsonl')).size < 5_000_000);
  const summary = JSON.parse(readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8')) as { root_group: { checks: Array<{ name: string; passes: number }> } };
  const checks = summary.root_group.checks;
  assert.equal(checks.length, MAX_CHECKS + 1);
  assert.equal(checks.find((c) => c.name === OTHER_CHECKS)?.passes, 101, 'the check names beyond the cap are counted, not lost');
  assert.ok(checks.every((c) => c.name.length <= 256));
});

test('absurd VU counts and rates are refused for the machine, before anything starts', async () => {
  const dir = tempFiles({
    'v.ts': `export const options = { vus: 1e9, duration: '10s' };\nexport default function () {}\n`,
    'r.ts': `export const options = { scenarios: { r: { executor: 'constant-arrival-rate', rate: 1e9, duration: '10s', preAllocatedVUs: 2, maxVUs: 2 } } };\nexport default function () {}\n`,
  });
  const t0 = Date.now();
  const v = await runCli(['run', 'v.ts', '--no-save'], { cwd: dir });
  assert.equal(v.code, 104, v.stderr);
  assert.match(v.stderr, /error: the scenarios need up to 1,000,000,000 VUs, about [\d.]+ GiB of memory; this machine has [\d.]+ GiB, enough for about [\d,]+\. Lower vus \/ maxVUs/);
  const r = await runCli(['run', 'r.ts', '--no-save'], { cwd: dir });
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /error: the scenarios start up to 1,000,000,000 iterations per second; one llmperf instance on \d+ cores? starts at most [\d,]+/);
  assert.ok(Date.now() - t0 < 40_000);
  // the rule itself, on a given machine
  const plan = (raw: Record<string, unknown>) => {
    const scenario = parseScenario('s', raw);
    return [{ scenario, plan: planScenario(scenario) }];
  };
  const machine = { memoryBytes: 4 * 1024 ** 3, cores: 2 };
  checkMachineLimits(plan({ executor: 'constant-vus', vus: 5000, duration: '1m' }), { vusPerContext: 16, vusPerIsolate: 512 }, machine);
  assert.throws(() => checkMachineLimits(plan({ executor: 'constant-vus', vus: 100_000, duration: '1m' }), {}, machine), /let VUs share contexts/);
  checkMachineLimits(plan({ executor: 'constant-arrival-rate', rate: 2000, duration: '1m', preAllocatedVUs: 10 }), {}, machine);
  assert.throws(() => checkMachineLimits(plan({ executor: 'ramping-arrival-rate', startRate: 1, stages: [{ target: 1e6, duration: '1m' }], preAllocatedVUs: 10 }), {}, machine), /1,000,000 iterations per second/);
});

const flagCases: Array<[string[], RegExp]> = [
  [['--isolate-memory', '-5'], /--isolate-memory -5: give a whole number of MB from 8 to/],
  [['--isolate-memory', '1'], /--isolate-memory 1: give a whole number of MB from 8 to/],
  [['--vus-per-isolate', '0'], /--vus-per-isolate 0: give a whole number from 1 to/],
  [['--vus-per-context', '1.5'], /--vus-per-context 1\.5: give a whole number from 1 to/],
  [['--header', 'X-A=b\r\nX-Injected: 1'], /header X-A \(from cli\): the value holds a line break \(CR\/LF\) or NUL/],
  [['--header', 'Bad Name=1'], /header name "Bad Name" \(from cli\): use letters, digits and - only/],
];
for (const [args, re] of flagCases) {
  test(`refused up front with exit 104 and no stack: ${JSON.stringify(args.join(' '))}`, async () => {
    const dir = tempFiles({ 's.ts': `export const options = { vus: 1, iterations: 1 };\nexport default function () {}\n` });
    const r = await runCli(['run', 's.ts', '--no-save', ...args], { cwd: dir });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.doesNotMatch(r.stderr, /X-Injected/);
  });
}

test('CRLF in a header from the script options is refused too (run())', async () => {
  const dir = tempFiles({ 's.ts': `export const options = { vus: 1, iterations: 1, llm: { headers: { 'X-A': 'b\\r\\nX-Injected: 1' } } };\nexport default function () {}\n` });
  await assert.rejects(run({ script: path.join(dir, 's.ts'), log: () => {} }), /header X-A \(from script\): the value holds a line break/);
});

for (const [stage, script, after] of [
  ['init code (an endless loop at the top level)', `while (true) {}\nexport default function () {}\n`, /error: interrupted (while the init code ran|before the script was loaded): nothing was run/],
  ['VU allocation (slow init code, many VUs)', `const t = Date.now(); while (Date.now() - t < 25) {}\nexport const options = { vus: 2000, duration: '10s' };\nexport default function () {}\n`, /SIGTERM received/],
] as const) {
  test(`SIGTERM during ${stage}: exit 105 at once`, async () => {
    const dir = tempFiles({ 's.ts': script });
    let pid = 0;
    const p = runCli(['run', 's.ts', '--no-save', '-q'], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = Date.now();
    process.kill(pid, 'SIGTERM');
    const r = await p;
    assert.equal(r.code, 105, r.stderr);
    assert.match(r.stderr, after);
    // stopped while VUs start: no iteration ran, and the summary says so
    if (/allocation/.test(stage)) assert.match(r.stdout, /0 complete and 0 interrupted iterations[\s\S]*stopped early: interrupted/);
    assert.ok(Date.now() - t0 < 15_000, `exited ${Date.now() - t0} ms after the signal`);
  });
}
