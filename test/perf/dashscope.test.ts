/** The DashScope adapter, table-driven: request shapes and event parsing (the end-to-end runs are in apis.test.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashscopeApi } from '../../runtime/llm/dashscope.ts';

const ctx = { baseUrl: 'https://dashscope.aliyuncs.com/api/v1', model: 'qwen-plus', apiKey: 'sk-1', headers: { 'x-extra': 'y' }, includeUsage: true };

describe('dashscope adapter: requests', () => {
  test('OpenAI-shaped params become {model, input, parameters}; streaming asks for incremental output', () => {
    const r = dashscopeApi.build('chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0.5, stream: true }, ctx);
    assert.equal(r.url, 'https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation');
    assert.equal(r.stream, true);
    assert.equal(r.headers['x-dashscope-sse'], 'enable');
    assert.equal(r.headers.authorization, 'Bearer sk-1');
    assert.equal(r.headers['x-extra'], 'y');
    assert.deepEqual(JSON.parse(r.body), {
      model: 'qwen-plus',
      input: { messages: [{ role: 'user', content: 'hi' }] },
      parameters: { result_format: 'message', max_tokens: 8, temperature: 0.5, incremental_output: true },
    });
  });

  test('not streaming: no SSE header, no incremental_output; a prompt goes to input.prompt', () => {
    const r = dashscopeApi.build('completions', { prompt: 'once', stream: false }, ctx);
    assert.equal(r.stream, false);
    assert.equal(r.headers['x-dashscope-sse'], undefined);
    assert.deepEqual(JSON.parse(r.body), { model: 'qwen-plus', input: { prompt: 'once' }, parameters: { result_format: 'message' } });
  });

  test('a body already in DashScope\'s shape is kept; flags given at the top level join its parameters', () => {
    const r = dashscopeApi.build('chat', { input: { messages: [] }, parameters: { top_k: 3 }, seed: 1, stream: true }, ctx);
    assert.deepEqual(JSON.parse(r.body), { model: 'qwen-plus', input: { messages: [] }, parameters: { top_k: 3, seed: 1, incremental_output: true } });
  });
});

describe('dashscope adapter: events', () => {
  const ev = (output: unknown, usage = { input_tokens: 3, output_tokens: 2, total_tokens: 5 }) => JSON.stringify({ output, usage, request_id: 'r' });
  const cases: Array<[string, string, string | undefined, Record<string, unknown>]> = [
    ['a message chunk, not finished ("null")', ev({ choices: [{ message: { role: 'assistant', content: ' hi' }, finish_reason: 'null' }] }), 'result',
      { id: 'r', content: ' hi', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }],
    ['the last chunk ends the stream', ev({ choices: [{ message: { content: '!' }, finish_reason: 'stop' }] }), 'result',
      { id: 'r', content: '!', finishReason: 'stop', done: true, usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }],
    ['text format', ev({ text: 'abc', finish_reason: 'length' }), undefined,
      { id: 'r', content: 'abc', finishReason: 'length', done: true, usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }],
    ['an error object', JSON.stringify({ code: 'Throttling.RateQuota', message: 'slow down', request_id: 'r' }), 'result', { id: 'r', error: 'Throttling.RateQuota: slow down' }],
    ['an error event', JSON.stringify({ code: 'InternalError', message: 'boom' }), 'error', { error: 'InternalError: boom' }],
  ];
  for (const [name, data, event, want] of cases) {
    test(name, () => assert.deepEqual(dashscopeApi.parseEvent(data, event), want));
  }
  test('a whole body is done; bad JSON throws', () => {
    assert.equal(dashscopeApi.parseBody(ev({ choices: [{ message: { content: 'x' }, finish_reason: 'stop' }] })).done, true);
    assert.throws(() => dashscopeApi.parseEvent('{"output":', 'result'), SyntaxError);
  });
  test('prompt text for tokenizer counts reads input.messages too', () => {
    assert.equal(dashscopeApi.promptText({ input: { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] } }), 'a\nb');
    assert.equal(dashscopeApi.promptText({ prompt: 'p' }), 'p');
  });
});
