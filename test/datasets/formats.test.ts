import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../runtime/errors.ts';
import { loadDataset, makeDataset, type DatasetOptions } from '../../runtime/datasets/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));
const load = (opts: DatasetOptions) => loadDataset({ baseDir: FIXTURES, ...opts });

async function rejectsConfig(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, 104);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('openqa (HC3-Chinese open_qa.jsonl)', () => {
  it('reads every question as a prompt, in file order', async () => {
    const ds = await load({ kind: 'openqa', path: 'open_qa.jsonl' });
    assert.equal(ds.name, 'openqa');
    assert.equal(ds.size, 20);
    assert.deepEqual(ds.get(0), { prompt: '什么是机器学习？' });
    assert.equal(ds.get(19).prompt, '如何缓解工作压力？');
  });

  it('cycles: get(i) is item i mod size', async () => {
    const ds = await load({ kind: 'openqa', path: 'open_qa.jsonl' });
    assert.equal(ds.get(20), ds.get(0));
    assert.equal(ds.get(41), ds.get(1));
    assert.equal(ds.get(-1), ds.get(19));
    assert.throws(() => ds.get(Number.NaN), RangeError);
  });

  it('items are frozen so one VU cannot change another\'s', async () => {
    const ds = await load({ kind: 'openqa', path: 'open_qa.jsonl' });
    assert.throws(() => {
      (ds.get(0) as { prompt?: string }).prompt = 'changed';
    }, TypeError);
  });

  it('reports a malformed line as path:line', async () => {
    await rejectsConfig(load({ kind: 'openqa', path: 'open_qa_bad.jsonl' }), /open_qa_bad\.jsonl:3: invalid JSON/);
  });

  it('reports a record without "question" as path:line with its keys', async () => {
    await rejectsConfig(load({ kind: 'openqa', path: 'open_qa_missing_field.jsonl' }), /open_qa_missing_field\.jsonl:2: missing "question".*keys: human_answers/);
  });

  it('reports a missing file with its path and the option to fix', async () => {
    await rejectsConfig(load({ kind: 'openqa', path: 'nope/open_qa.jsonl' }), /openqa dataset not found: .*nope\/open_qa\.jsonl.*holds: .*open_qa\.jsonl.*--dataset-path/);
    await rejectsConfig(load({ kind: 'openqa' }), /needs a file: pass --dataset-path/);
  });

  it('reports an empty file', async () => {
    await rejectsConfig(load({ kind: 'openqa', path: 'empty.jsonl' }), /empty\.jsonl: no items/);
  });
});

describe('longalpaca (LongAlpaca-12k.json)', () => {
  it('reads a JSON array of {instruction, output, file}; prompt = trimmed instruction', async () => {
    const ds = await load({ kind: 'longalpaca', path: 'longalpaca.json' });
    assert.equal(ds.size, 5);
    assert.match(ds.get(0).prompt!, /^Below is a paper\./);
    assert.equal(ds.get(3).prompt, 'Write a haiku about autumn leaves.');
  });

  it('reads the JSONL variant too', async () => {
    const ds = await load({ kind: 'longalpaca', path: 'longalpaca.jsonl' });
    assert.equal(ds.size, 3);
    assert.equal(ds.get(2).prompt, 'Translate the following sentence into French: The library opens at nine.');
  });

  it('reports invalid JSON in the array with its line', async () => {
    await rejectsConfig(load({ kind: 'longalpaca', path: 'longalpaca_bad.json' }), /longalpaca_bad\.json:3: invalid JSON/);
  });
});

describe('line_by_line', () => {
  it('reads plain text, message arrays and request bodies; skips blank lines', async () => {
    const ds = await load({ kind: 'line_by_line', path: 'line_by_line.txt' });
    assert.equal(ds.size, 7);
    assert.deepEqual(ds.get(0), { prompt: 'Tell me a joke about databases.' });
    assert.deepEqual(ds.get(2), { prompt: '[INST] Write a short poem about the sea. [/INST]' });
    assert.deepEqual(ds.get(3), {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Name a color.' },
      ],
    });
    assert.deepEqual(ds.get(4).body, { model: 'qwen', messages: [{ role: 'user', content: 'Say hello in Spanish.' }], max_tokens: 16 });
    assert.deepEqual(ds.get(5).body, { prompt: 'Once upon a time', max_tokens: 32 });
    assert.equal(ds.get(6).prompt, 'Explain recursion to a five year old.');
  });

  it('"custom" is evalscope\'s name for the same format', async () => {
    const ds = await load({ kind: 'custom', path: 'line_by_line.txt' });
    assert.equal(ds.size, 7);
  });

  it('reports a JSON object line without messages or prompt as path:line', async () => {
    await rejectsConfig(load({ kind: 'line_by_line', path: 'line_by_line_bad.txt' }), /line_by_line_bad\.txt:2: .*needs "messages".*or "prompt"/);
  });
});

describe('sharegpt', () => {
  for (const file of ['sharegpt.json', 'sharegpt.jsonl']) {
    it(`${file}: first human turn is the prompt, the conversation is kept in meta`, async () => {
      const ds = await load({ kind: 'sharegpt', path: file });
      assert.equal(ds.size, 3, 'the conversation without a human turn is skipped');
      assert.equal(ds.get(0).prompt, 'What is the capital of France?');
      assert.deepEqual(ds.get(0).meta, {
        id: 'conv-1',
        conversation: [
          { role: 'user', content: 'What is the capital of France?' },
          { role: 'assistant', content: 'The capital of France is Paris.' },
          { role: 'user', content: 'And of Italy?' },
          { role: 'assistant', content: 'Rome.' },
        ],
      });
      assert.equal(ds.get(1).prompt, 'Give me three tips for writing clean code.');
      assert.equal((ds.get(1).meta!.conversation as unknown[]).length, 3);
      assert.equal(ds.get(2).prompt, 'Summarize the plot of Hamlet in one sentence.');
    });
  }

  it('reports an unknown speaker as path:line', async () => {
    await rejectsConfig(load({ kind: 'sharegpt', path: 'sharegpt_bad.jsonl' }), /sharegpt_bad\.jsonl:2: conversations\[0\] must be/);
  });
});

describe('jsonl (generic)', () => {
  it('takes the prompt from the field option, strings or messages, with output hints', async () => {
    const ds = await load({ kind: 'jsonl', path: 'prompts.jsonl', field: 'text' });
    assert.equal(ds.size, 3);
    assert.deepEqual(ds.get(0), { prompt: 'Write a limerick about a cat.', outputTokens: 64 });
    assert.deepEqual(ds.get(1).messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 2+2?' },
    ]);
    assert.deepEqual(ds.get(2), { prompt: 'List three prime numbers.', outputTokens: 16 });
  });

  it('follows dotted paths', async () => {
    const ds = await load({ kind: 'jsonl', path: 'prompts.jsonl', field: 'request.input' });
    assert.equal(ds.get(1).prompt, 'nested two');
  });

  it('reports a missing field as path:line with the keys it has', async () => {
    await rejectsConfig(load({ kind: 'jsonl', path: 'prompts.jsonl' }), /prompts\.jsonl:1: field "prompt" is missing.*keys: text, max_tokens, request/);
  });
});

describe('kinds and options', () => {
  it('rejects an unknown kind, listing the known ones', async () => {
    await rejectsConfig(load({ kind: 'hc3' }), /unknown dataset kind "hc3": use one of openqa, longalpaca, line_by_line, custom, sharegpt, jsonl, .*random, shared_prefix/);
  });

  it('rejects bad numeric options and min > max', async () => {
    await rejectsConfig(load({ kind: 'openqa', path: 'open_qa.jsonl', minPromptLength: -1 }), /minPromptLength must be a non-negative integer/);
    await rejectsConfig(load({ kind: 'openqa', path: 'open_qa.jsonl', minPromptLength: 10, maxPromptLength: 5 }), /minPromptLength \(10\) is greater than maxPromptLength \(5\)/);
  });

  it('makeDataset refuses to cycle over nothing', () => {
    assert.throws(() => makeDataset('x', []), ConfigError);
  });
});
