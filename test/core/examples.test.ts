// Every script in scripts-examples/ runs through the built CLI against the built-in mock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers.ts';

test('quickstart: the README command prints the summary with real TTFT and ITL figures', async () => {
  const r = await runCli(['run', '--no-save', 'scripts-examples/quickstart.ts']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /benchmarking the built-in mock LLM server at http:\/\/127\.0\.0\.1:\d+\/v1/);
  assert.match(r.stdout, /Requests\s+40 total, 40 succeeded, 0 failed/);
  assert.match(r.stdout, /│ TTFT \(ms\)\s+│\s+\d+\.\d+ │/);
  assert.match(r.stdout, /│ ITL \(ms\)\s+│\s+\d+\.\d+ │/);
  assert.match(r.stdout, /✓ 'p\(95\)<2000'/);
});

test('closed-loop example: constant VUs, thresholds pass', async () => {
  const r = await runCli(['run', '--no-save', 'scripts-examples/closed-loop.ts', '-e', 'DURATION=2s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /llm_ttft\{scenario:parallel\}/);
  assert.match(r.stdout, /8 max VUs/);
});

test('open-loop Poisson example: arrival rate honoured, schedule lag recorded', async () => {
  const r = await runCli(['run', '--no-save', 'scripts-examples/open-loop-poisson.ts', '-e', 'DURATION=2s', '-e', 'RATE=25']);
  assert.equal(r.code, 0, r.stderr);
  const m = /Requests\s+(\d+) total/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const n = Number(m[1]);
  assert.ok(n >= 30 && n <= 75, `requests ${n} for 25/s over 2 s`);
  assert.match(r.stdout, /llm_schedule_lag/);
});

test('CLI flags override the script: --vus/--iterations replace scenarios', async () => {
  const r = await runCli(['run', '--no-save', 'scripts-examples/quickstart.ts', '--vus', '2', '--iterations', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Requests\s+5 total/);
});

test('a failing threshold exits 99', async () => {
  const r = await runCli(['run', '--no-save', 'scripts-examples/quickstart.ts', '--iterations', '4', '--mock', 'ttft=300ms']);
  assert.equal(r.code, 0, r.stderr); // p(95)<2000 still passes at 300 ms
  const f = await runCli(['run', '--no-save', 'scripts-examples/quickstart.ts', '--iterations', '4', '--mock', 'ttft=2100ms', '--mock', 'output-tokens=2']);
  assert.equal(f.code, 99, f.stderr);
  assert.match(f.stdout, /✗ 'p\(95\)<2000'/);
});
