/**
 * evalscope's connection test (runtime/llm/probe.ts probeEndpoint): a real request built with the
 * run's API adapter; retried while the server is starting; a 4xx or a silent server stops with a
 * clear message and exit 100; --no-test-connection skips it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { TargetUnreachable } from '../../runtime/errors.ts';
import { openaiApi } from '../../runtime/llm/openai.ts';
import { probeEndpoint, type ProbeOptions } from '../../runtime/llm/probe.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import { perfOptions, perfRun } from './helpers.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const opts = (url: string, log: string[], over: Partial<ProbeOptions> = {}): ProbeOptions => ({
  url,
  adapter: openaiApi,
  model: 'm',
  connectTimeoutMs: 2000,
  answerTimeoutMs: 2000,
  totalTimeoutMs: 20_000,
  log: (l) => log.push(l),
  ...over,
});

describe('connection test', () => {
  test('a real request: POST to the endpoint with the model and a prompt, built by the API adapter', async () => {
    let seen: { method?: string; url?: string; body?: Record<string, unknown>; auth?: string } = {};
    const srv = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        seen = { method: req.method ?? '', url: req.url ?? '', body: JSON.parse(b) as Record<string, unknown>, auth: req.headers.authorization ?? '' };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n');
        // never ends: the first bytes are enough
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as { port: number }).port;
      await probeEndpoint(opts(`http://127.0.0.1:${port}/v1/chat/completions`, [], { apiKey: 'sk-x' }));
      assert.equal(seen.method, 'POST');
      assert.equal(seen.url, '/v1/chat/completions');
      assert.equal(seen.body?.model, 'm');
      assert.deepEqual(seen.body?.messages, [{ role: 'user', content: 'hello' }]);
      assert.equal(seen.auth, 'Bearer sk-x');
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });

  test('a server that is still starting: retried with a progress line until it answers', async () => {
    const port = await freePort();
    const log: string[] = [];
    let mock: Awaited<ReturnType<typeof startMockServer>> | undefined;
    const t = setTimeout(() => void startMockServer({ port, ttftMs: 1, itlMs: 1, outputTokens: 2 }).then((m) => (mock = m)), 1500);
    try {
      await probeEndpoint(opts(`http://127.0.0.1:${port}/v1/chat/completions`, log));
      assert.ok(log.length >= 1, 'at least one retry');
      assert.match(log[0]!, /^connection test: http:\/\/127\.0\.0\.1:\d+ .*: connection refused .*; retrying in 1 s \(attempt 1, \d+ s of --total-timeout 20 s\)/);
    } finally {
      clearTimeout(t);
      await mock?.close();
    }
  });

  test('a wrong path (404) stops at once: exit 100, the status, the server\'s words and what to check', async () => {
    const mock = await startMockServer({ ttftMs: 1, itlMs: 1, outputTokens: 2 });
    try {
      const t0 = Date.now();
      await assert.rejects(probeEndpoint(opts(`${mock.url.replace(/\/v1$/, '/v2')}/chat/completions`, [])), (e: unknown) => {
        assert.ok(e instanceof TargetUnreachable);
        assert.equal(e.exitCode, 100);
        assert.match(e.message, /^connection test failed: http:\/\/127\.0\.0\.1:\d+ \(POST .*\/v2\/chat\/completions\) answered HTTP 404.*check --url: give the full endpoint path.*--no-test-connection/);
        return true;
      });
      assert.ok(Date.now() - t0 < 10_000, 'no retries on a 4xx');
    } finally {
      await mock.close();
    }
  });

  test('a server that accepts and never answers: exit 100 with a clear message after the answer timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      await assert.rejects(probeEndpoint(opts(`http://127.0.0.1:${port}/v1/chat/completions`, [], { answerTimeoutMs: 1500 })), (e: unknown) => {
        assert.ok(e instanceof TargetUnreachable);
        assert.match(e.message, /the server accepted the connection but sent no answer within 2 s/);
        return true;
      });
    } finally {
      silent.close();
    }
  });

  test('llmperf perf sends the test request first; --no-test-connection skips it', async () => {
    const mock = await startMockServer({ ttftMs: 1, itlMs: 1, outputTokens: 2 });
    try {
      const url = `${mock.url}/chat/completions`;
      let before = mock.stats().requests;
      await perfRun(perfOptions({ url, prompt: 'hi', number: [3], parallel: [1], testConnection: true }));
      assert.equal(mock.stats().requests - before, 4);
      before = mock.stats().requests;
      await perfRun(perfOptions({ url, prompt: 'hi', number: [3], parallel: [1], testConnection: false }));
      assert.equal(mock.stats().requests - before, 3);
    } finally {
      await mock.close();
    }
  });
});
