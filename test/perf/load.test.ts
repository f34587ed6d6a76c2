/**
 * How `llmperf perf` drives load (against the mock, in process): exactly N requests in every mode,
 * --rate as Poisson arrivals on the arrival-rate executor, --open-loop, --warmup-num, --duration,
 * --log-every-n-query, failed requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { perfOptions, perfRun } from './helpers.ts';

describe('llmperf perf: load', () => {
  let mock: MockServer;
  let url: string;
  const sent = async (fn: () => Promise<unknown>): Promise<number> => {
    const before = mock.stats().requests;
    await fn();
    return mock.stats().requests - before;
  };
  before(async () => {
    mock = await startMockServer({ ttftMs: 5, itlMs: 2, outputTokens: 8 });
    url = `${mock.url}/chat/completions`;
  });
  after(() => mock.close());

  test('closed loop: exactly N requests, at most P at a time', async () => {
    let r: Awaited<ReturnType<typeof perfRun>> | undefined;
    assert.equal(await sent(async () => (r = await perfRun(perfOptions({ url, prompt: 'hi', number: [7], parallel: [3] })))), 7);
    const s = r!.results[0]!.summary;
    assert.equal(s.llm.requests, 7);
    assert.ok(s.llm.peakConcurrency <= 3 && s.llm.peakConcurrency >= 2, `peak ${s.llm.peakConcurrency}`);
    assert.equal(s.scenarios[0]!.executor, 'shared-iterations');
  });

  test('--rate: Poisson arrivals on the arrival-rate executor, still exactly N requests', async () => {
    let r: Awaited<ReturnType<typeof perfRun>> | undefined;
    assert.equal(await sent(async () => (r = await perfRun(perfOptions({ url, prompt: 'hi', number: [12], parallel: [4], rate: [40] })))), 12);
    const s = r!.results[0]!.summary;
    assert.equal(s.scenarios[0]!.executor, 'constant-arrival-rate');
    assert.match(s.scenarios[0]!.description, /^Poisson arrivals at 40 iterations\/s/);
    assert.equal(s.metrics.llm_schedule_lag?.values.count, 12, 'every arrival had a planned start');
    assert.ok(s.llm.peakConcurrency <= 4);
    assert.equal(r!.results[0]!.keys['Request Rate (req/s)'], 40);
    // 12 Poisson arrivals at 40/s: the last comes after ~0.3 s on average, not at once
    assert.ok(s.llm.durationMs > 60, `took ${s.llm.durationMs} ms`);
  });

  test('--open-loop --rate: no concurrency cap, exactly N requests', async () => {
    let r: Awaited<ReturnType<typeof perfRun>> | undefined;
    assert.equal(await sent(async () => (r = await perfRun(perfOptions({ url, prompt: 'hi', number: [10], rate: [50], openLoop: true })))), 10);
    assert.equal(r!.results[0]!.keys['Concurrency'], -1);
    assert.equal(r!.results[0]!.keys['Total Requests'], 10);
  });

  test('--warmup-num: warmup requests reach the server but not the results', async () => {
    let r: Awaited<ReturnType<typeof perfRun>> | undefined;
    assert.equal(await sent(async () => (r = await perfRun(perfOptions({ url, prompt: 'hi', number: [3], parallel: [2], warmupNum: 2 })))), 5);
    assert.equal(r!.results[0]!.keys['Total Requests'], 3);
    assert.ok(r!.log.some((l) => /^warmup: 2 requests, not counted/.test(l)));
  });

  test('--duration: no new request after it; in-flight ones finish', async () => {
    const slow = await startMockServer({ ttftMs: 50, itlMs: 10, outputTokens: 10 });
    try {
      const r = await perfRun(perfOptions({ url: `${slow.url}/chat/completions`, prompt: 'hi', number: [1000], parallel: [2], duration: 0.4, logEveryNQuery: 0 }));
      const k = r.results[0]!.keys;
      assert.ok(k['Total Requests']! >= 2 && k['Total Requests']! < 20, `${k['Total Requests']} requests`);
      assert.equal(k['Failed Requests'], 0, 'in-flight requests were not cut');
      assert.equal(slow.stats().requests, k['Total Requests']);
    } finally {
      await slow.close();
    }
  });

  test('--log-every-n-query: a line every N requests and at the end', async () => {
    const r = await perfRun(perfOptions({ url, prompt: 'hi', number: [10], parallel: [1], logEveryNQuery: 3 }));
    const lines = r.log.filter((l) => /^\d+\/10 requests: /.test(l));
    assert.deepEqual(lines.map((l) => Number(l.split('/')[0])), [3, 6, 9, 10]);
    assert.match(lines[3]!, /^10\/10 requests: 10 succeeded, 0 failed \| [\d.]+ req\/s, [\d.]+ output tok\/s \| avg latency [\d.]+ s, avg TTFT [\d.]+ s$/);
  });

  test('--no-timestamp: a second run into the same folder is refused, not mixed in', async () => {
    const o = perfOptions({ url, prompt: 'hi', number: [1], noTimestamp: true, name: 'same' });
    await perfRun(o);
    await assert.rejects(perfRun(o), /already holds the results of a run: remove it, or choose another --name or --outputs-dir/);
  });

  test('failed requests are counted and explained', async () => {
    const flaky = await startMockServer({ ttftMs: 2, itlMs: 1, outputTokens: 4, seed: 3, faults: { http_500: 0.5 } });
    try {
      const r = await perfRun(perfOptions({ url: `${flaky.url}/chat/completions`, prompt: 'hi', number: [20], parallel: [4] }));
      const k = r.results[0]!.keys;
      assert.equal(k['Total Requests'], 20);
      assert.ok(k['Failed Requests']! > 0 && k['Success Requests']! > 0);
      assert.equal(k['Failed Requests']! + k['Success Requests']!, 20);
      assert.match(r.out, /note: failed: \d+ × HTTP_5XX: HTTP 500/);
      assert.equal(r.exitCode, 0, 'failures alone do not fail the run (as evalscope)');
    } finally {
      await flaky.close();
    }
  });
});
