// The realistic-workload examples, each run by the built CLI against the built-in mock.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempFiles } from '../helpers.ts';

before(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT });
});

const traceLines = readFileSync(path.join(ROOT, 'test/fixtures/traces/mooncake-sample.jsonl'), 'utf8').trim().split('\n').length;

test('replay example: every trace record sent on time, with its output length', async () => {
  const r = await runCli(['run', 'scripts-examples/replay.ts', '--no-save', '-e', 'TIME_SCALE=0.5']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`Requests\\s+${traceLines} total, ${traceLines} succeeded`));
  assert.match(r.stdout, /✓ answered with the trace length/);
  assert.match(r.stdout, /✓ 'count<1' count=0/); // no dropped iterations
  assert.match(r.stdout, /Duration\s+(0\.\d+|1\.[0-4]\d*) s/); // ~1.8 s of trace at timeScale 0.5
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
  const sg = await runCli(['run', 'scripts-examples/multi-turn.ts', '--no-save', '-e', 'SHAREGPT=../test/fixtures/datasets/sharegpt.json', '-e', 'TURNS=2', '-e', 'CONVERSATIONS=3']);
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
