// `--out prometheus-rw` against a real Prometheus (remote-write receiver) and the mock LLM server:
// what Prometheus stores must equal what the run's summary says.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { runCli } from '../helpers.ts';
import { skipUnlessCi } from '../ci.ts';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { parsePrometheusRwArg, PrometheusRwOutput } from '../../runtime/outputs/prometheus-rw.ts';
import { dashboardQueries, labelValuesSelector, substitute } from './dashboard.ts';
import { closedPort, prometheusBinary, startPrometheus, type PrometheusServer } from './server.ts';

const SCRIPT = `
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import { Trend, Counter } from 'llmperf/metrics';
const answerChars = new Trend('answer_chars');
const words = new Counter('words_total_seen');
export const options = {
  scenarios: { chat: { executor: 'constant-vus', vus: 4, duration: __ENV.DURATION || '1200ms' } },
};
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 });
  check(res, { 'status is 200': (r) => r.status === 200 });
  if (res.status === 200) { answerChars.add(res.text.length); words.add(res.text.split(' ').length); }
}
`;

const skip = skipUnlessCi(prometheusBinary() ? false : 'the prometheus binary is not installed (apt-get install -y prometheus)');

describe('prometheus remote write', { skip }, () => {
  let prom: PrometheusServer;
  let mock: MockServer;
  let scriptPath: string;

  before(async () => {
    prom = await startPrometheus();
    mock = await startMockServer({ ttftMs: 20, itlMs: 2, outputTokens: 16, seed: 1, faults: { http_500: 0.2 } });
    const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-rw-'));
    scriptPath = path.join(dir, 'rw.ts');
    writeFileSync(scriptPath, SCRIPT);
  });
  after(async () => {
    await mock?.close();
    await prom?.stop();
  });

  async function runWith(arg: string, logs: string[]) {
    const out = new PrometheusRwOutput(parsePrometheusRwArg(arg), (l) => logs.push(l));
    try {
      // no connection test: this mock fails 20% of requests on purpose, the test request included
      const r = await run({ script: scriptPath, overrides: { url: mock.url }, systemEnv: false, testConnection: false, log: (l) => logs.push(l), listeners: [out], onStart: (info) => out.start(info) });
      return { r, out };
    } finally {
      await out.close();
    }
  }

  test('series equal the summary: counters, rates, trend percentiles, labels', async () => {
    const logs: string[] = [];
    const { r, out } = await runWith(`${prom.writeUrl},interval=250ms,run=r1,instance=i1`, logs);
    assert.equal(out.stats.failures, 0, `${out.stats.lastError}\n${logs.join('\n')}\n${prom.logs()}`);
    assert.ok(out.stats.pushes >= 3, `periodic pushes during the run, got ${out.stats.pushes}`);
    const m = r.summary.metrics;

    const reqs = await prom.query('llmperf_llm_reqs_total{run="r1"}');
    assert.ok(reqs.length >= 2, 'one series per error_code (ok requests have no error_code label)');
    for (const s of reqs) {
      assert.equal(s.metric.run, 'r1');
      assert.equal(s.metric.instance, 'i1');
      assert.equal(s.metric.scenario, 'chat');
    }
    const total = reqs.reduce((a, s) => a + s.value, 0);
    assert.equal(total, m.llm_reqs!.values.count);
    assert.ok(total > 10, `requests ${total}`);
    const failed = await prom.query('sum(llmperf_llm_reqs_total{run="r1",error_code="HTTP_5XX"})');
    assert.equal(failed[0]?.value, r.summary.llm.errors.HTTP_5XX);
    assert.ok(failed[0]!.value > 0, 'the mock injected some 500s');

    // a rate is split by error_code like everything else: the run's rate is the ratio of the sums
    const rates = await prom.query('llmperf_llm_req_failed_rate{run="r1"}');
    assert.deepEqual(rates.map((s) => [s.metric.error_code ?? '', s.value]).sort(), [['', 0], ['HTTP_5XX', 1]]);
    const [rate] = await prom.query('sum(llmperf_llm_req_failed_true_total{run="r1"}) / sum(llmperf_llm_req_failed_samples_total{run="r1"})');
    assert.ok(Math.abs(rate!.value - m.llm_req_failed!.values.rate!) < 1e-9, `failed rate ${rate!.value} vs ${m.llm_req_failed!.values.rate}`);
    const [trues] = await prom.query('sum(llmperf_checks_true_total{run="r1"})');
    assert.equal(trues!.value, m.checks!.values.passes);

    for (const [metric, stat, key] of [
      ['llm_ttft', 'p95', 'p(95)'],
      ['llm_ttft', 'p90', 'p(90)'],
      ['llm_e2e', 'avg', 'avg'],
      ['llm_e2e', 'max', 'max'],
      ['llm_tpot', 'min', 'min'],
      ['answer_chars', 'p50', 'med'],
    ] as const) {
      const res = await prom.query(`llmperf_${metric}_${stat}{run="r1"}`);
      assert.equal(res.length, 1, `${metric}_${stat}`);
      assert.equal(res[0]!.metric.scenario, 'chat');
      const want = m[metric]!.values[key]!;
      assert.ok(Math.abs(res[0]!.value - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${metric}_${stat}: prometheus ${res[0]!.value}, summary ${want}`);
    }
    const [count] = await prom.query('llmperf_llm_ttft_count{run="r1"}');
    assert.equal(count!.value, m.llm_ttft!.values.count);
    const [custom] = await prom.query('llmperf_words_total_seen_total{run="r1"}');
    assert.equal(custom!.value, m.words_total_seen!.values.count);
    const [vusMax] = await prom.query('llmperf_vus_max{run="r1"}');
    assert.equal(vusMax!.value, 4);

    // several samples over time, not just the final push
    const [n] = await prom.query('count_over_time(llmperf_llm_reqs_total{run="r1",error_code=""}[5m])');
    assert.ok(n!.value >= 3, `samples over time: ${n!.value}`);
  });

  test('every Grafana dashboard query is valid PromQL and finds data for the run', async () => {
    // run r1 exists from the test above (node:test runs a suite's tests in order)
    for (const { where, expr } of dashboardQueries()) {
      const q = substitute(labelValuesSelector(expr) ?? expr, 'r1');
      const res = await prom.query(q);
      // no SLO in the script and no arrival-rate executor: those two panels are empty here
      if (/goodput|schedule_lag/.test(expr)) continue;
      assert.ok(res.length > 0, `${where}: no data for ${q}`);
      for (const s of res) assert.ok(Number.isFinite(s.value), `${where}: ${q} gave ${s.value}`);
    }
  });

  test('two instances of one run add up in PromQL', async () => {
    const a = await runWith(`${prom.writeUrl},interval=1s,run=r2,instance=pod-0`, []);
    const b = await runWith(`${prom.writeUrl},interval=1s,run=r2,instance=pod-1`, []);
    const byInstance = await prom.query('sum by (instance) (llmperf_llm_reqs_total{run="r2"})');
    const got = Object.fromEntries(byInstance.map((s) => [s.metric.instance, s.value]));
    assert.deepEqual(got, { 'pod-0': a.r.summary.metrics.llm_reqs!.values.count, 'pod-1': b.r.summary.metrics.llm_reqs!.values.count });
    const [sum] = await prom.query('sum(llmperf_llm_reqs_total{run="r2"})');
    assert.equal(sum!.value, a.r.summary.metrics.llm_reqs!.values.count! + b.r.summary.metrics.llm_reqs!.values.count!);
    const [avg] = await prom.query('sum(llmperf_llm_ttft_sum{run="r2"}) / sum(llmperf_llm_ttft_count{run="r2"})');
    const ta = a.r.summary.metrics.llm_ttft!.values;
    const tb = b.r.summary.metrics.llm_ttft!.values;
    const want = (ta.avg! * ta.count! + tb.avg! * tb.count!) / (ta.count! + tb.count!);
    assert.ok(Math.abs(avg!.value - want) < 1e-6, `merged avg ${avg!.value} vs ${want}`);
  });

  test('the built CLI: --out prometheus-rw with the run id from --out-dir and the instance from LLMPERF_INSTANCE', async () => {
    const out = path.join(path.dirname(scriptPath), 'cli-run-7');
    const summaryFile = path.join(path.dirname(scriptPath), 'cli-summary.json');
    const r = await runCli(
      ['run', scriptPath, '--url', mock.url, '--no-test-connection', '-e', 'DURATION=800ms', '--quiet', '--out-dir', out, '--summary-export', summaryFile, '--out', `prometheus-rw=${prom.writeUrl},interval=300ms`],
      { env: { LLMPERF_INSTANCE: 'cli-instance' } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /prometheus-rw/, 'no push failed');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
    const rows = await prom.query('sum by (run, instance) (llmperf_llm_reqs_total{run="cli-run-7"})');
    assert.deepEqual(rows.map((x) => x.metric), [{ run: 'cli-run-7', instance: 'cli-instance' }]);
    assert.equal(rows[0]!.value, summary.metrics.llm_reqs!.values.count);
    const [p95] = await prom.query('llmperf_llm_e2e_p95{run="cli-run-7"}');
    assert.ok(Math.abs(p95!.value - summary.metrics.llm_e2e!.values['p(95)']!) < 1e-9, `${p95!.value} vs ${summary.metrics.llm_e2e!.values['p(95)']}`);
  });

  test('an unreachable endpoint: the run is unaffected, one clear warning, a closing count', async () => {
    const logs: string[] = [];
    const closed = await closedPort();
    const { r, out } = await runWith(`http://127.0.0.1:${closed}/api/v1/write,interval=200ms,run=r3`, logs);
    assert.equal(r.exitCode, 0);
    assert.ok(out.stats.failures >= 3 && out.stats.failures === out.stats.pushes, JSON.stringify(out.stats));
    const warns = logs.filter((l) => l.includes('prometheus-rw'));
    assert.equal(warns.length, 2, warns.join('\n'));
    assert.match(warns[0]!, new RegExp(`^WARN prometheus-rw: push to http://127\\.0\\.0\\.1:${closed}/api/v1/write failed \\(ECONNREFUSED\\); retrying every 0\\.2s`));
    assert.match(warns[1]!, /pushes to .* failed \(last: ECONNREFUSED\)/);
  });

  test('an HTTP error from the receiver is reported with its status and body', async () => {
    const logs: string[] = [];
    const { out } = await runWith(`${mock.url.replace(/\/v1$/, '')}/api/v1/write,interval=10s,run=r4`, logs);
    assert.equal(out.stats.pushes, 1, 'only the final push (interval longer than the run)');
    assert.match(logs.find((l) => l.startsWith('WARN prometheus-rw')) ?? '', /failed \(HTTP 4\d\d/);
  });
});
