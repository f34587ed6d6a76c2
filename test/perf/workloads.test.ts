/**
 * evalscope's own command lines for its other workloads, copied from its docs (v1.10: examples.md,
 * multi_turn.md, speed_benchmark.md, sla_auto_tune.md, parameters.md), run unchanged against the
 * mock through `llmperf perf`'s argv parsing: embeddings, rerank, the Responses API, random_vl,
 * flickr8k / kontext_bench, multi-turn conversations, swe_smith, workload_trace replay, the speed
 * benchmark, --tokenize-prompt and --sla-* auto-tuning. Only hosts, keys and placeholders change
 * (evalscope-docs.ts); the outputs go to a temporary folder and sweeps do not sleep between runs.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { randomImage } from '../../runtime/datasets/png.ts';
import { seeded } from '../../runtime/datasets/rng.ts';
import { tuneSla, type SlaPoint } from '../../runtime/perf/sla.ts';
import type { PerfOptions } from '../../runtime/perf/config.ts';
import { debugBodies, debugHeaders, perfRun, type Captured } from './helpers.ts';
import { hubCache, parsePerf, shellWords, substitute } from './evalscope-docs.ts';

/** Every folder under `dir` holding `name`. */
function find(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name === name) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** The request bodies the measured run stored (requests.sqlite keeps them whole; --debug lines are cut at 500 characters). */
function storedBodies(root: string): Array<Record<string, unknown>> {
  const db = new Database(find(root, 'requests.sqlite')[0]!, { readonly: true });
  try {
    return (db.prepare('SELECT request_body FROM requests ORDER BY id').all() as Array<{ request_body: string }>).map((r) => JSON.parse(r.request_body) as Record<string, unknown>);
  } finally {
    db.close();
  }
}

describe('llmperf perf: evalscope command lines for the other workloads, unchanged, against the mock', () => {
  let mock: MockServer;
  let origin: string;
  const work = mkdtempSync(path.join(tmpdir(), 'llmperf-perf-workloads-'));
  const hfBefore = process.env.HF_HUB_CACHE;

  before(async () => {
    mock = await startMockServer({ ttftMs: 2, itlMs: 0, outputTokens: 8 });
    origin = new URL(mock.url).origin;
    process.env.HF_HUB_CACHE = hubCache(['Qwen/Qwen3-Embedding-0.6B', 'Qwen/Qwen2.5-0.5B-Instruct', 'Qwen/Qwen2.5-VL-3B-Instruct']);
  });
  after(async () => {
    if (hfBefore === undefined) delete process.env.HF_HUB_CACHE;
    else process.env.HF_HUB_CACHE = hfBefore;
    await mock.close();
  });

  /** Parses the documented command (substituted), then runs it in this process with its outputs in a temporary folder. */
  async function evalscope(doc: string, files: Record<string, string> = {}, tweak: Partial<PerfOptions> = {}): Promise<Captured & { options: PerfOptions; notes: string[] }> {
    const { options, notes } = parsePerf(shellWords(substitute(doc, { origin, files })));
    const o: PerfOptions = { ...options, outputsDir: mkdtempSync(path.join(work, 'out-')), sleepInterval: 0, ...tweak };
    const r = await perfRun(o, work);
    return { ...r, options: o, notes };
  }

  const routes = () => mock.stats().byRoute;

  test('embeddings: examples.md "Embedding Models" (random_embedding, DashScope URL, tokenizer by hub id)', async () => {
    const before = routes().embeddings ?? 0;
    const r = await evalscope(`evalscope perf \\
  --parallel 2 \\
  --number 10 \\
  --model 'text-embedding-v4' \\
  --url 'https://dashscope.aliyuncs.com/compatible-mode/v1/embeddings' \\
  --api-key \${DASHSCOPE_API_KEY} \\
  --api openai_embedding \\
  --dataset random_embedding \\
  --min-prompt-length 256 \\
  --max-prompt-length 256 \\
  --tokenizer-path 'Qwen/Qwen3-Embedding-0.6B'`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal((routes().embeddings ?? 0) - before, 10, 'no connection test for embeddings, as evalscope');
    const k = r.results[0]!.keys;
    assert.equal(k['Success Requests'], 10);
    assert.ok(k['Avg Input Tokens']! > 256, 'the mock counts ceil(chars / 4) of 256 tokens of text');
    assert.ok(k['Input Throughput (tok/s)']! > 0);
    assert.equal(k['Avg TTFT (ms)'], 0);
    assert.deepEqual(Object.keys(r.results[0]!.percentiles[0]!), ['Percentiles', 'Latency (s)', 'Input tokens', 'Input (tok/s)']);
    assert.doesNotMatch(r.out, /Avg TTFT|Output Throughput/, "the table shows an embedding run's figures");
    assert.match(r.out, /note: batch size: 1\.00 inputs per request/);
    const dir = path.dirname(find(r.root, 'benchmark_summary.json')[0]!);
    assert.equal(json(path.join(dir, 'benchmark_summary.json'))['Input Throughput (tok/s)'], k['Input Throughput (tok/s)']);
    const report = readFileSync(path.join(r.root, 'performance_summary.txt'), 'utf8');
    assert.match(report, /Embedding\/Rerank Performance Test Summary[\s\S]*Total Input Tokens[\s\S]*Detailed Performance Metrics/);
    assert.doesNotMatch(report, /TTFT|Gen\/s/);
    const summary = json(path.join(dir, 'summary.json')) as { llm: { percentiles: Record<string, unknown> } };
    assert.ok(!('llm_ttft' in summary.llm.percentiles) && 'llm_input_tps' in summary.llm.percentiles);
  });

  test('embedding_batch: parameters.md ("--extra-args \'{"batch_size": 8}\'"), a .jsonl of texts', async () => {
    const file = path.join(work, 'texts.jsonl');
    writeFileSync(file, Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `document number ${i}` })).join('\n'));
    const r = await evalscope(`evalscope perf --model bge-m3 --url http://127.0.0.1:8000/v1/embeddings --api openai_embedding --dataset embedding_batch --dataset-path ${file} --extra-args '{"batch_size": 8}' --number 3 --parallel 1 --debug`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const bodies = debugBodies(r.log);
    assert.deepEqual(bodies.map((b) => (b.input as string[]).length), [8, 8, 4]);
    assert.equal(bodies[0]!.batch_size, 8, '--extra-args goes into the body too, as in evalscope');
    assert.match(r.out, /batch size: 6\.67 inputs per request on average \(max 8/);
  });

  test('rerank: examples.md "Rerank Models" (random_rerank, num_documents, document_length_ratio, /reranks)', async () => {
    const before = routes().rerank ?? 0;
    const r = await evalscope(`evalscope perf \\
  --parallel 2 \\
  --number 10 \\
  --model 'qwen3-rerank' \\
  --url 'https://dashscope.aliyuncs.com/compatible-api/v1/reranks' \\
  --api-key \${DASHSCOPE_API_KEY} \\
  --api openai_rerank \\
  --dataset random_rerank \\
  --min-prompt-length 256 \\
  --max-prompt-length 256 \\
  --tokenizer-path 'Qwen/Qwen3-Embedding-0.6B' \\
  --extra-args '{"num_documents": 5, "document_length_ratio": 3}'`, {}, { debug: true });
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal((routes().rerank ?? 0) - before, 10);
    const b = storedBodies(r.root)[0]!;
    assert.equal((b.documents as string[]).length, 5);
    assert.equal(debugHeaders(r.log)[0]!.authorization, '[REDACTED]', 'the key is sent, and redacted in --debug');
    assert.equal(r.results[0]!.keys['Success Requests'], 10);
    assert.match(r.out, /batch size: 5\.00 inputs per request/);
  });

  test('the Responses API: parameters.md --api openai_responses; a chat URL becomes /responses; TTFT from output_text deltas', async () => {
    const before = routes().responses ?? 0;
    const r = await evalscope(`evalscope perf --url http://127.0.0.1:8000/v1/chat/completions --parallel 2 --model gpt-4o-mini --number 6 --api openai_responses --max-tokens 8 --prompt 'Write a haiku' --debug`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.ok(r.log.some((l) => /OpenAI Responses API selected: using http:\/\/127\.0\.0\.1:\d+\/v1\/responses/.test(l)));
    assert.equal((routes().responses ?? 0) - before, 7, 'six requests and the connection test');
    const b = debugBodies(r.log)[0]!;
    assert.deepEqual([b.max_output_tokens, b.stream, b.temperature, b.input], [8, true, 0, [{ role: 'user', content: 'Write a haiku' }]]);
    const k = r.results[0]!.keys;
    assert.equal(k['Stream Requests'], 6);
    assert.ok(k['Avg TTFT (ms)']! > 0 && k['Avg ITL (ms)']! >= 0);
    assert.equal(k['Avg Output Tokens'], 8);
    const stream = await evalscope(`evalscope perf --url http://127.0.0.1:8000/v1 --model gpt --number 2 --api openai_responses --max-tokens 4 --prompt hi --no-stream`);
    assert.equal(stream.results[0]!.keys['Non-Stream Requests'], 2);
  });

  test('random_vl: examples.md "Random Multimodal Dataset" (--image-width/--image-height/--image-format/--image-num)', async () => {
    const r = await evalscope(`evalscope perf \\
  --parallel 20 \\
  --model Qwen2.5-VL-3B-Instruct \\
  --url http://127.0.0.1:8801/v1/chat/completions \\
  --api openai \\
  --dataset random_vl \\
  --min-tokens 128 \\
  --max-tokens 128 \\
  --prefix-length 0 \\
  --min-prompt-length 100 \\
  --max-prompt-length 100 \\
  --image-width 512 \\
  --image-height 512 \\
  --image-format RGB \\
  --image-num 1 \\
  --number 100 \\
  --tokenizer-path Qwen/Qwen2.5-VL-3B-Instruct \\
  --debug`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal(r.results[0]!.keys['Success Requests'], 100);
    const content = (storedBodies(r.root)[0]!.messages as Array<{ content: Array<{ type: string; image_url?: { url: string } }> }>)[0]!.content;
    assert.deepEqual(content.map((p) => p.type), ['text', 'image_url']);
    const png = Buffer.from(content[1]!.image_url!.url.split(',')[1]!, 'base64');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20), png[25]], [512, 512, 2], '512 × 512 RGB');
    assert.equal(r.results[0]!.keys['Avg Output Tokens'], 128);
  });

  test('flickr8k and kontext_bench: parameters.md, --dataset-path pointing to a local copy', async () => {
    const png = randomImage(16, 16, 'RGB', seeded(4));
    const tarOf = (name: string, text: string) => {
      const entry = (n: string, data: Buffer) => {
        const h = Buffer.alloc(512);
        h.write(n, 0);
        h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
        h.write('0', 156);
        return [h, data, Buffer.alloc((512 - (data.length % 512)) % 512)];
      };
      return Buffer.concat([...entry(`${name}.jpg`, png), ...entry(`${name}.txt`, Buffer.from(text)), Buffer.alloc(1024)]);
    };
    const flickr = path.join(work, 'wds_flickr8k');
    for (const d of ['test']) {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(path.join(flickr, d), { recursive: true });
    }
    writeFileSync(path.join(flickr, 'test', '0.tar'), tarOf('s0', 'A child climbs the stairs.'));
    const r = await evalscope(`evalscope perf --url http://127.0.0.1:8000/v1/chat/completions --model qwen-vl --api openai --dataset flickr8k --dataset-path ${flickr} --number 3 --parallel 1 --max-tokens 8 --debug`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const c = (debugBodies(r.log)[0]!.messages as Array<{ content: Array<{ text?: string; image_url?: { url: string } }> }>)[0]!.content;
    assert.equal(c[0]!.text, 'A child climbs the stairs.');
    assert.match(c[1]!.image_url!.url, /^data:image\/jpeg;base64,/);
    const kontext = path.join(work, 'kontext-bench');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(kontext, { recursive: true });
    writeFileSync(path.join(kontext, 'metadata.jsonl'), '{"file_name": "a.png", "instruction": "Make the sky green"}\n');
    writeFileSync(path.join(kontext, 'a.png'), png);
    const k = await evalscope(`evalscope perf --url http://127.0.0.1:8000/v1/chat/completions --model qwen-vl --api openai --dataset kontext_bench --dataset-path ${kontext} --data-source local --number 2 --max-tokens 8 --debug`);
    assert.equal(k.exitCode, 0, k.log.join('\n'));
    assert.equal((debugBodies(k.log)[0]!.messages as Array<{ content: Array<{ text?: string }> }>)[0]!.content[0]!.text, 'Make the sky green');
  });

  test('multi-turn: multi_turn.md random_multi_turn (conversations, the history with the real answers, multi-turn figures)', async () => {
    const r = await evalscope(`evalscope perf \\
  --model YOUR_MODEL \\
  --tokenizer-path YOUR_MODEL \\
  --url OPENAI_API_COMPAT_URL \\
  --api openai \\
  --dataset random_multi_turn \\
  --min-prompt-length 256 \\
  --max-prompt-length 512 \\
  --max-tokens 256 \\
  --multi-turn \\
  --min-turns 2 \\
  --max-turns 5 \\
  --number 20 \\
  --parallel 10`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const k = r.results[0]!.keys;
    assert.ok(k['Total Requests']! >= 40 && k['Total Requests']! <= 100, `20 conversations of 2 to 5 turns: ${k['Total Requests']} requests`);
    assert.ok(k['Avg Turns/Request']! > 1, 'later turns carry their history');
    assert.ok(k['KV Cache Hit Rate (%)']! > 0 && k['KV Cache Hit Rate (%)']! < 100);
    assert.ok(k['Avg First-Turn TTFT (ms)']! > 0 && k['Avg Subsequent-Turn TTFT (ms)']! > 0);
    assert.match(readFileSync(path.join(r.root, 'performance_summary.txt'), 'utf8'), /Turns\/Req[\s\S]*Cache Hit \(%\)[\s\S]*1st-Turn TTFT \(ms\)[\s\S]*Subseq\. TTFT \(ms\)/);
    const db = new Database(find(r.root, 'requests.sqlite')[0]!, { readonly: true });
    try {
      const convs = db.prepare("SELECT vu, iteration, count(*) AS n, max(json_extract(tags, '$.turn')) AS last FROM requests GROUP BY vu, iteration").all() as Array<{ n: number; last: string }>;
      assert.equal(convs.length, 20);
      for (const c of convs) assert.equal(Number(c.last), c.n, 'turns 1..n of each conversation');
    } finally {
      db.close();
    }
  });

  test('multi-turn: share_gpt_zh_multi_turn and custom_multi_turn with local files (multi_turn.md)', async () => {
    const sg = path.join(work, 'common_zh_70k.jsonl');
    writeFileSync(sg, [
      { conversation: [{ human: 'Hello', assistant: 'Hi! How can I help you?' }, { human: 'Write me a poem', assistant: 'Sure, ...' }, { human: 'Shorter', assistant: 'ok' }, { human: 'cut by --max-turns', assistant: 'x' }] },
      { conversation: [{ human: '你好', assistant: '你好' }] },
    ].map((x) => JSON.stringify(x)).join('\n'));
    const r = await evalscope(`evalscope perf \\
  --model YOUR_MODEL \\
  --url OPENAI_API_COMPAT_URL \\
  --api openai \\
  --dataset share_gpt_zh_multi_turn \\
  --dataset-path /path/to/common_zh_70k.jsonl \\
  --max-tokens 512 \\
  --multi-turn \\
  --max-turns 3 \\
  --number 300 \\
  --parallel 10`, { '/path/to/common_zh_70k.jsonl': sg });
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal(r.results[0]!.keys['Total Requests'], 150 * 3 + 150, '300 conversations, cycling over a 3-turn and a 1-turn one');
    const conv = path.join(work, 'my_conversations.jsonl');
    writeFileSync(conv, [
      '[{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi! How can I help you?"}, {"role": "user", "content": "Write me a poem"}]',
      '[{"role": "user", "content": "What is the capital of France?"}, {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "Tell me more about it."}]',
    ].join('\n'));
    const c = await evalscope(`evalscope perf \\
  --model YOUR_MODEL \\
  --url OPENAI_API_COMPAT_URL \\
  --api openai \\
  --dataset custom_multi_turn \\
  --dataset-path /path/to/my_conversations.jsonl \\
  --max-tokens 512 \\
  --multi-turn \\
  --max-turns 3 \\
  --number 100 \\
  --parallel 10`, { '/path/to/my_conversations.jsonl': conv }, { debug: true });
    assert.equal(c.exitCode, 0, c.log.join('\n'));
    assert.equal(c.results[0]!.keys['Total Requests'], 200);
    const second = debugBodies(c.log).find((b) => (b.messages as unknown[]).length === 3)!;
    const msgs = second.messages as Array<{ role: string; content: string }>;
    assert.equal(msgs[1]!.role, 'assistant');
    assert.notEqual(msgs[1]!.content, 'Hi! How can I help you?', "the model's real answer, never the dataset's");
  });

  test('swe_smith: multi_turn.md pre-built JSON mode (--dataset-offset, --multi-turn); live construction needs the file', async () => {
    const conv = (i: number) => [
      { messages: [{ role: 'system', content: 'You are a coding agent.' }, { role: 'user', content: `Fix issue ${i}` }], prompt_tokens: 30 },
      { messages: [{ role: 'user', content: 'OBSERVATION: tests fail' }], prompt_tokens: 60 },
    ];
    const file = path.join(work, 'agentic_dataset.json');
    writeFileSync(file, JSON.stringify({ conversations: [conv(0), conv(1), conv(2)] }));
    const r = await evalscope(`evalscope perf \\
  --model YOUR_MODEL \\
  --url OPENAI_API_COMPAT_URL \\
  --api openai \\
  --dataset swe_smith \\
  --dataset-path /path/to/agentic_dataset.json \\
  --max-tokens 512 \\
  --multi-turn \\
  --dataset-offset 100 \\
  --number 200 \\
  --parallel 20`, { '/path/to/agentic_dataset.json': file });
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal(r.results[0]!.keys['Total Requests'], 400);
    assert.equal(r.results[0]!.keys['Avg Turns/Request'], 1.5);
    // live construction (no --dataset-path): the trajectories would be downloaded; llmperf says what to do instead
    await assert.rejects(
      evalscope(`evalscope perf --model YOUR_MODEL --url OPENAI_API_COMPAT_URL --api openai --dataset swe_smith --tokenizer-path YOUR_MODEL --max-tokens 512 1024 --min-tokens 512 --multi-turn --dataset-args '{"first_turn_length": [4096, 8192], "subsequent_turn_length": [512, 1024]}' --min-turns 3 --max-turns 8 --seed 42 --number 10 20 --parallel 5 10 --extra-args '{"ignore_eos": true}'`),
      /--dataset swe_smith needs --dataset-path/,
    );
  });

  test('--dataset-args length control: examples.md "Long-context Prefix Injection" (plus --dataset-path: llmperf never downloads openqa)', async () => {
    writeFileSync(path.join(work, 'long_text.txt'), 'It was the best of times, it was the worst of times, it was the age of wisdom. '.repeat(20));
    writeFileSync(path.join(work, 'open_qa.jsonl'), ['{"question": "What is a load test?"}', '{"question": "Why do servers queue requests?"}'].join('\n'));
    const r = await evalscope(`evalscope perf \\
  --parallel 4 \\
  --model Qwen2.5-0.5B-Instruct \\
  --url http://127.0.0.1:8801/v1/chat/completions \\
  --api openai \\
  --dataset openqa \\
  --tokenizer-path Qwen/Qwen2.5-0.5B-Instruct \\
  --dataset-args '{"target_input_len": 512, "prefix_file": "long_text.txt", "prefix_role": "system"}' \\
  --max-tokens 128 \\
  --number 20 --dataset-path open_qa.jsonl`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const b = storedBodies(r.root);
    assert.deepEqual((b[0]!.messages as Array<{ role: string }>).map((m) => m.role), ['system', 'user']);
    await assert.rejects(evalscope('evalscope perf --model m --url http://127.0.0.1:8000/v1/chat/completions --dataset openqa --dataset-path open_qa.jsonl --dataset-args \'{"target_len": 5}\''), /--dataset-args: "target_len" not known for --dataset openqa \(it takes target_input_len/);
  });

  test('--max-tokens min max: drawn per request (parameters.md)', async () => {
    const r = await evalscope(`evalscope perf --url http://127.0.0.1:8000/v1/chat/completions --model m --prompt hi --max-tokens 3 9 --number 30 --parallel 5 --debug`);
    const seen = new Set(debugBodies(r.log).map((b) => b.max_tokens as number));
    assert.ok([...seen].every((v) => v >= 3 && v <= 9) && seen.size > 2, `drawn: ${[...seen].join(',')}`);
  });

  test('workload_trace: examples.md "Production Traffic Replay", all three command lines', async () => {
    writeFileSync(path.join(work, 'trace.jsonl'), [
      '{"body": {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}, "timestamp": 1700000000.0}',
      '{"body": {"model": "gpt-4", "messages": [{"role": "user", "content": "hello"}]}, "timestamp": 1700000001.5, "headers": {"X-Tag": "exp"}, "request_id": "req-42", "completion_tokens": 6}',
      '{"body": {"model": "qwen-max", "messages": [{"role": "user", "content": "third"}], "max_tokens": 3}, "timestamp": 1700000002.0}',
    ].join('\n'));
    const plain = await evalscope(`evalscope perf \\
  --dataset workload_trace \\
  --dataset-path trace.jsonl \\
  --url http://127.0.0.1:8000/v1/chat/completions \\
  --open-loop`, {}, { debug: true });
    assert.equal(plain.exitCode, 0, plain.log.join('\n'));
    const bodies = debugBodies(plain.log);
    assert.deepEqual(bodies.map((b) => b.model), ['qwen-plus', 'gpt-4', 'qwen-max'], 'each request keeps its own model');
    assert.deepEqual(bodies.map((b) => b.max_tokens), [2048, 2048, 3], 'what a body lacks is filled');
    assert.equal(debugHeaders(plain.log)[1]!['X-Tag'], 'exp');
    const db = new Database(find(plain.root, 'requests.sqlite')[0]!, { readonly: true });
    try {
      const rows = db.prepare('SELECT start_ms, tags FROM requests ORDER BY start_ms').all() as Array<{ start_ms: number; tags: string }>;
      const t = rows.map((x) => x.start_ms - rows[0]!.start_ms);
      assert.ok(t[1]! >= 1450 && t[1]! < 1900 && t[2]! >= 1950 && t[2]! < 2400, `recorded arrival offsets 0, 1.5, 2 s: ${t.join(', ')}`);
      assert.equal(JSON.parse(rows[1]!.tags).request_id, 'req-42');
    } finally {
      db.close();
    }
    const mapped = await evalscope(`evalscope perf \\
  --dataset workload_trace \\
  --dataset-path trace.jsonl \\
  --url http://127.0.0.1:8000/v1/chat/completions \\
  --open-loop \\
  --dataset-args '{"speed": 2.0, "model_mapping": {"gpt-4": "qwen-max"}, "match_output_length": true}'`, {}, { debug: true });
    assert.equal(mapped.exitCode, 0, mapped.log.join('\n'));
    const mb = debugBodies(mapped.log);
    assert.deepEqual(mb.map((b) => b.model), ['qwen-plus', 'qwen-max', 'qwen-max']);
    assert.deepEqual([mb[1]!.max_tokens, mb[1]!.ignore_eos], [6, true]);
    assert.ok(mapped.results[0]!.keys['Test Duration (s)']! < 1.4, 'twice as fast: the last arrival at 1 s');
    const cut = await evalscope(`evalscope perf \\
  --dataset workload_trace \\
  --dataset-path trace.jsonl \\
  --url http://127.0.0.1:8000/v1/chat/completions \\
  --open-loop \\
  --number 500`);
    assert.equal(cut.results[0]!.keys['Total Requests'], 3, '--number 500 of a 3-record trace replays 3');
    assert.match(cut.results[0]!.dir!, /rate_-1(\.0)?_number_3$/);
    const two = await evalscope('evalscope perf --dataset workload_trace --dataset-path trace.jsonl --url http://127.0.0.1:8000/v1/chat/completions --open-loop --number 2');
    assert.equal(two.results[0]!.keys['Total Requests'], 2);
  });

  test('speed_benchmark: speed_benchmark.md "Online API Inference" (completions, the speed table and speed_benchmark.json)', async () => {
    const before = routes().completions ?? 0;
    const r = await evalscope(`evalscope perf \\
 --parallel 1 \\
 --url http://127.0.0.1:8000/v1/completions \\
 --model qwen2.5 \\
 --number 8 \\
 --log-every-n-query 5 \\
 --connect-timeout 6000 \\
 --read-timeout 6000 \\
 --max-tokens 2048 \\
 --min-tokens 2048 \\
 --api openai \\
 --dataset speed_benchmark \\
 --debug`, {}, {});
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal((routes().completions ?? 0) - before, 9, 'eight requests and the connection test');
    assert.ok(r.log.some((l) => /^DEBUG > POST http:\/\/127\.0\.0\.1:\d+\/v1\/completions .*"prompt":"熵熵熵/.test(l)), 'prompts of "熵" to /v1/completions');
    const db = new Database(find(r.root, 'requests.sqlite')[0]!, { readonly: true });
    try {
      const lengths = (db.prepare('SELECT input_tokens FROM requests ORDER BY start_ms').all() as Array<{ input_tokens: number }>).map((x) => x.input_tokens);
      assert.deepEqual(lengths, [1, 1, 1536, 1536, 3584, 3584, 7680, 7680], '1, 6144, 14336, 30720 characters, two each, in order');
    } finally {
      db.close();
    }
    assert.match(r.out, /Speed Benchmark Results:[\s\S]*Prompt Tokens \| Speed\(tokens\/s\) \| GPU Memory\(GB\)/);
    const speed = JSON.parse(readFileSync(find(r.root, 'speed_benchmark.json')[0]!, 'utf8')) as Array<Record<string, number>>;
    assert.deepEqual(speed.map((x) => x['Prompt Tokens']), [1, 1536, 3584, 7680], 'grouped by prompt tokens (the mock counts chars / 4)');
    assert.ok(speed.every((x) => x['Speed(tokens/s)']! > 0 && x['GPU Memory(GB)'] === 0));
  });

  test('--tokenize-prompt: examples.md random dataset note (token ids to /v1/completions)', async () => {
    const r = await evalscope(`evalscope perf \\
  --parallel 20 \\
  --model Qwen2.5-0.5B-Instruct \\
  --url http://127.0.0.1:8801/v1/chat/completions \\
  --api openai \\
  --dataset random \\
  --min-tokens 128 \\
  --max-tokens 128 \\
  --prefix-length 64 \\
  --min-prompt-length 1024 \\
  --max-prompt-length 2048 \\
  --number 100 \\
  --tokenizer-path Qwen/Qwen2.5-0.5B-Instruct \\
  --tokenize-prompt \\
  --debug`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.ok(r.log.some((l) => /--tokenize-prompt sends token ids: using http:\/\/127\.0\.0\.1:\d+\/v1\/completions/.test(l)));
    const b = storedBodies(r.root)[0]!;
    assert.ok(Array.isArray(b.prompt) && (b.prompt as unknown[]).every((x) => Number.isInteger(x)));
    const k = r.results[0]!.keys;
    assert.ok(k['Avg Input Tokens']! >= 64 + 1024 && k['Avg Input Tokens']! <= 64 + 2048 + 2, `the server receives the ids: ${k['Avg Input Tokens']}`);
  });

  test('--sla-auto-tune: sla_auto_tune.md example 1 (largest --parallel with p99_latency <= 2 s)', async () => {
    const r = await evalscope(`evalscope perf \\
 --model Qwen2.5-0.5B-Instruct \\
 --tokenizer-path Qwen/Qwen2.5-0.5B-Instruct \\
 --url http://127.0.0.1:8801/v1/chat/completions \\
 --api openai \\
 --dataset random \\
 --max-tokens 1024 \\
 --prefix-length 0 \\
 --min-prompt-length 1024 \\
 --max-prompt-length 1024 \\
 --sla-auto-tune \\
 --sla-variable parallel \\
 --sla-params '[{"p99_latency": "<=2"}]' \\
 --parallel 2 \\
 --sla-upper-bound 64`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.match(r.out, /SLA Auto-tune Summary:[\s\S]*p99_latency <= 2 \|\s+parallel \|\s+64 \|\s+Satisfied/);
    const tuning = path.join(r.root, 'sla_tuning');
    assert.deepEqual(readdirSync(tuning).filter((d) => d.endsWith('_run_0')).sort(), ['sla_parallel_16_run_0', 'sla_parallel_2_run_0', 'sla_parallel_32_run_0', 'sla_parallel_4_run_0', 'sla_parallel_64_run_0', 'sla_parallel_8_run_0']);
    assert.ok(existsSync(path.join(tuning, 'sla_parallel_64_run_2')), '--sla-num-runs 3 by default');
    const summary = json(path.join(r.root, 'sla_summary.json')) as Record<string, { metrics: Record<string, number> }>;
    assert.equal(summary.parallel_8!.metrics['Total Requests'], 16, 'number = 2 × parallel');
  });

  test('--sla-auto-tune: sla_auto_tune.md example 3 (rate, two groups, bounds); TTFT criteria are in ms in evalscope 1.10', async () => {
    const r = await evalscope(`evalscope perf \\
 --model Qwen2.5-0.5B-Instruct \\
 --tokenizer-path Qwen/Qwen2.5-0.5B-Instruct \\
 --url http://127.0.0.1:8801/v1/chat/completions \\
 --api openai \\
 --dataset random \\
 --max-tokens 512 \\
 --prefix-length 0 \\
 --min-prompt-length 512 \\
 --max-prompt-length 512 \\
 --sla-auto-tune \\
 --sla-variable rate \\
 --sla-params '[{"p99_ttft": "<0.05"}, {"p99_ttft": "<0.01"}]' \\
 --rate 2 \\
 --sla-num-runs 1 \\
 --sla-fixed-parallel 40 \\
 --sla-lower-bound 10 \\
 --sla-upper-bound 40`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.match(r.out, /p99_ttft < 0\.05 \|\s+rate \|\s+None \| Failed at lower bound \(10\)/);
    assert.match(r.out, /p99_ttft < 0\.01 \|\s+rate \|\s+None \| Failed at lower bound \(10\)/);
    assert.ok(existsSync(path.join(r.root, 'sla_tuning', 'sla_rate_10_run_0')), 'rate 10 (the lower bound) measured once, at --sla-fixed-parallel 40');
  });
});

describe('--sla-* search (synthetic figures)', () => {
  const point = (value: number, figures: Record<string, number>, p99LatencyS = 1): SlaPoint => ({
    value,
    keys: { 'Total Requests': 10, 'Success Requests': 10, ...figures },
    percentiles: [{ Percentiles: '99%', 'Latency (s)': p99LatencyS }],
  });
  const o = { parallel: [4], rate: [-1] } as PerfOptions;

  test('"max": doubles while the metric improves, then bisects (sla_auto_tune.md example 2)', async () => {
    // tps grows up to 384 and falls after it, as in evalscope's documented run
    const tps = (v: number) => 8000 - Math.abs(384 - v) * 2;
    const tried: number[] = [];
    const rows = await tuneSla(o, { variable: 'parallel', params: [{ tps: 'max' }], numRuns: 1, upperBound: 65536, lowerBound: 1 }, async (v) => {
      tried.push(v);
      return point(v, { 'Output Throughput (tok/s)': tps(v) });
    }, () => false, () => {});
    assert.deepEqual(rows, [{ Criteria: 'tps -> max', Variable: 'parallel', 'Max Satisfied': 384, Note: 'Best tps: 8000.0000' }]);
    assert.deepEqual(tried.slice(0, 9), [4, 8, 16, 32, 64, 128, 256, 512, 384]);
  });

  test('constraints: the largest value meeting the group (AND within a group, one answer per group); a failed request fails the value', async () => {
    const latency = (v: number) => v / 10; // p99 latency grows with load
    const measure = async (v: number) => point(v, { 'Avg TTFT (ms)': v * 3 }, latency(v));
    const rows = await tuneSla(o, { variable: 'parallel', params: [{ p99_latency: '<=2', avg_ttft: '<=45' }, { p99_latency: '≤ 2.5' }], numRuns: 1, upperBound: 64, lowerBound: 1 }, measure, () => false, () => {});
    assert.deepEqual(rows.map((r) => r['Max Satisfied']), [15, 25]);
    const failing = await tuneSla(o, { variable: 'parallel', params: [{ rps: '>=0' }], numRuns: 1, upperBound: 8, lowerBound: 1 }, async (v) => ({ ...point(v, {}), keys: { 'Total Requests': 10, 'Success Requests': 9 } }), () => false, () => {});
    assert.deepEqual(failing, [{ Criteria: 'rps >= 0', Variable: 'parallel', 'Max Satisfied': 'None', Note: 'Failed at lower bound (1)' }]);
  });
});
