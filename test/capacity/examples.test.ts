// The realistic-workload examples, each run by the built CLI against the built-in mock.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runCli, tempFiles } from '../helpers.ts';

before(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT });
});

const traceLines = readFileSync(path.join(ROOT, 'test/fixtures/traces/mooncake-sample.jsonl'), 'utf8').trim().split('\n').length;

test('replay example: every trace record sent on time, with its output length', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'llmperf-replay-')), 'summary.json');
  const r = await runCli(['run', 'scripts-examples/replay.ts', '--no-save', '-e', 'TIME_SCALE=0.5', '--summary-export', file]);
  const s = JSON.parse(readFileSync(file, 'utf8')) as { llm: { requests: number; succeeded: number }; iterations: { dropped: number }; thresholds: Array<{ metric: string; ok: boolean }>; state: { testRunDurationMs: number } };
  // the example's threshold dropped_iterations count<1 says whether every record went out on time;
  // on a busy machine VUs may start too slowly for a few arrivals, which the threshold then reports
  const failed = s.thresholds.filter((t) => !t.ok).map((t) => t.metric);
  assert.ok(r.code === 0 || (r.code === 99 && failed.every((m) => m === 'dropped_iterations')), `exit ${r.code}, failed: ${failed.join(', ')}\n${r.stderr}`);
  assert.equal(s.llm.requests + s.iterations.dropped, traceLines, 'every record was sent or counted as dropped');
  assert.equal(s.llm.succeeded, s.llm.requests);
  assert.match(r.stdout, /✓ answered with the trace length/);
  assert.ok(s.state.testRunDurationMs < 6000, `${s.state.testRunDurationMs} ms for ~0.9 s of trace at timeScale 0.5`);
});

test('multi-turn example: history carried across turns, TTFT per turn (generated and ShareGPT turns)', async () => {
  const gen = await runCli(['run', 'scripts-examples/multi-turn.ts', '--no-save', '-e', 'TURNS=3', '-e', 'CONVERSATIONS=4']);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /Requests\s+12 total, 12 succeeded/); // 4 conversations x 3 turns
  assert.match(gen.stdout, /llm_ttft\{turn:1\}/);
  assert.match(gen.stdout, /llm_ttft\{turn:2\}/);
  // the prompt grows turn by turn: the history (system, user, assistant, ...) is resent
  const input = /│ Input tokens\s+│\s+[\d.]+ │\s+[\d.]+ │\s+[\d.]+ │\s+[\d.]+ │\s+[\d.]+ │\s+([\d.]+) │/.exec(gen.stdout);
  const min = /llm_input_tokens\.+: avg=[\d.]+ min=([\d.]+)/.exec(gen.stdout);
  assert.ok(input && min && Number(input[1]) > Number(min[1]) + 30, `max input ${input?.[1]} vs min ${min?.[1]}`);
  const sg = await runCli(['run', 'scripts-examples/multi-turn.ts', '--no-save', '-e', 'SHAREGPT=../test/fixtures/datasets/sharegpt.json', '--allow-read', 'test/fixtures/datasets', '-e', 'TURNS=2', '-e', 'CONVERSATIONS=3']);
  assert.equal(sg.code, 0, sg.stderr);
  assert.match(sg.stdout, /Requests\s+[4-6] total/);
  assert.match(sg.stdout, /✓ turn answered/);
});

test('shared-prefix example: groups of prompts share a long system prompt', async () => {
  const points = path.join(tempFiles({}), 'points.jsonl');
  const r = await runCli(['run', 'scripts-examples/shared-prefix.ts', '--no-save', '-e', 'GROUPS=2', '-e', 'PER_GROUP=4', '-e', 'PREFIX_TOKENS=300', '--out', `json=${points}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Requests\s+8 total, 8 succeeded/);
  const avgIn = /│ Input tokens\s+│\s+([\d.]+) │/.exec(r.stdout);
  assert.ok(avgIn && Number(avgIn[1]) > 300 && Number(avgIn[1]) < 600, `input tokens ${avgIn?.[1]}`); // a 300-token prefix + a short question (counted by the mock)
  const groups = new Set([...readFileSync(points, 'utf8').matchAll(/"prefix_group":"(\d+)"/g)].map((m) => m[1]));
  assert.deepEqual([...groups].sort(), ['0', '1']);
});
