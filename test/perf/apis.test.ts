/**
 * APIs end to end against the mock: DashScope's native API (streaming and not) and a custom API
 * plugin, through `llmperf perf` and through `llmperf run --api` / `llm.chat(p, { api })` in a script.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../runtime/errors.ts';
import { ApiRegistry } from '../../runtime/llm/registry.ts';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { ROOT, runCli, tempFiles } from '../helpers.ts';
import { debugBodies, debugHeaders, PERF_FIXTURES, perfOptions, perfRun } from './helpers.ts';

const PLUGIN = path.join(PERF_FIXTURES, 'completions-plugin.ts');

describe('llmperf perf: APIs', () => {
  let mock: MockServer;
  const route = (r: string) => mock.stats().byRoute[r] ?? 0;
  before(async () => {
    mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: 6 });
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => mock.close());

  for (const stream of [true, false]) {
    test(`dashscope, ${stream ? 'streaming (X-DashScope-SSE, incremental_output)' : 'not streaming'}`, async () => {
      const [before, gen] = [route('dashscope'), mock.stats().requests];
      // (no connection test: its GET would be counted on the route too)
      const r = await perfRun(perfOptions({ url: mock.url, api: 'dashscope', model: 'qwen-plus', prompt: 'hello', number: [4], stream, apiKey: 'sk-dash-123', debug: true, testConnection: false }));
      assert.equal(r.exitCode, 0, r.log.join('\n'));
      assert.equal(route('dashscope') - before, 4, 'the native route was used');
      assert.equal(mock.stats().requests - gen, 4);
      const k = r.results[0]!.keys;
      assert.equal(k['Success Requests'], 4);
      assert.equal(k['Avg Output Tokens'], 6, 'usage.output_tokens read');
      assert.ok(k['Avg Input Tokens']! > 0, 'usage.input_tokens read');
      const body = debugBodies(r.log)[0]!;
      assert.deepEqual(body.input, { messages: [{ role: 'user', content: 'hello' }] });
      assert.equal((body.parameters as Record<string, unknown>).max_tokens, 2048);
      const h = debugHeaders(r.log)[0]!;
      assert.equal(h.authorization, '[REDACTED]', 'the key is sent as Authorization and redacted in --debug');
      assert.doesNotMatch(r.log.join('\n') + r.out, /sk-dash-123/);
      if (stream) {
        assert.equal(h['x-dashscope-sse'], 'enable');
        assert.equal((body.parameters as Record<string, unknown>).incremental_output, true);
        assert.ok(k['Avg TTFT (ms)']! > 0);
        assert.ok(k['Avg ITL (ms)']! > 0, 'one event per token: ITL measured');
      } else {
        assert.equal(h['x-dashscope-sse'], undefined);
      }
    });
  }

  test('a custom API plugin (.ts with its own imports) via --api path', async () => {
    const before = route('completions');
    const r = await perfRun(perfOptions({ url: mock.url, api: PLUGIN, prompt: 'ping', number: [3], maxTokens: 5, debug: true, testConnection: false }));
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal(route('completions') - before, 3);
    assert.equal(debugBodies(r.log)[0]!.prompt, '[plugin] user: ping');
    assert.equal(r.results[0]!.keys['Avg Output Tokens'], 5);
  });

  test('plugin errors say what to fix', async () => {
    await assert.rejects(ApiRegistry.resolve(path.join(PERF_FIXTURES, 'not-a-plugin.ts'), [ROOT]), (e: unknown) => e instanceof ConfigError && /API plugin .*not-a-plugin\.ts \(broken\): build must be a function/.test(e.message));
    await assert.rejects(ApiRegistry.resolve('./missing-plugin.ts', [ROOT]), /API plugin not found: .*missing-plugin\.ts/);
    await assert.rejects(ApiRegistry.resolve('anthropic', [ROOT]), /unknown API "anthropic": use openai, dashscope, or the path of an API plugin/);
    await assert.rejects(perfRun(perfOptions({ prompt: 'hi', api: 'local_vllm' })), /--api local_vllm: llmperf does not start vLLM/);
  });

  const SCRIPT = (call: string) => `
import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 4 } } };
export default async function () {
  const res = await ${call};
  if (!res.ok || !res.text) throw new Error('request failed: ' + JSON.stringify(res.error));
}`;

  test('llmperf run --api dashscope', async () => {
    const dir = tempFiles({ 's.ts': SCRIPT("llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 })") });
    const before = route('dashscope');
    const r = await runCli(['run', path.join(dir, 's.ts'), '--url', mock.url, '--api', 'dashscope', '-q', '--no-save'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(route('dashscope') - before, 4 + 1, 'the 4 requests and the connection test, built by the same adapter');
  });

  test('llmperf run --api ./plugin.ts', async () => {
    const dir = tempFiles({ 's.ts': SCRIPT("llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 })") });
    const before = route('completions');
    const r = await runCli(['run', path.join(dir, 's.ts'), '--url', mock.url, '--api', path.relative(dir, PLUGIN), '-q', '--no-save'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(route('completions') - before, 4 + 1, 'the 4 requests and the connection test, built by the plugin');
  });

  test("a script picks the API per request: llm.chat(params, { api: 'dashscope' })", async () => {
    const dir = tempFiles({ 's.ts': SCRIPT("llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }, { api: 'dashscope' })") });
    const [ds, chat] = [route('dashscope'), route('chat')];
    const r = await runCli(['run', path.join(dir, 's.ts'), '--url', mock.url, '-q', '--no-save'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(route('dashscope') - ds, 4);
    assert.equal(route('chat') - chat, 1, 'only the connection test, built by the run\'s default API (openai)');
  });

  test('llmperf run --api with an unknown name: exit 104', async () => {
    const dir = tempFiles({ 's.ts': SCRIPT("llm.chat({ messages: [{ role: 'user', content: 'hi' }] })") });
    const r = await runCli(['run', path.join(dir, 's.ts'), '--url', mock.url, '--api', 'anthropic', '-q', '--no-save'], { cwd: dir });
    assert.equal(r.code, 104);
    assert.match(r.stderr, /unknown API "anthropic"/);
  });
});
