// The Grafana dashboard only queries series that `--out prometheus-rw` emits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILTIN_METRICS } from '../../runtime/metrics/builtin.ts';
import type { MetricType } from '../../runtime/metrics/types.ts';
import { seriesNames } from '../../runtime/outputs/prometheus-rw.ts';
import { DASHBOARD, dashboardQueries, labelValuesSelector } from './dashboard.ts';

const EMITTED = new Set(Object.entries(BUILTIN_METRICS).flatMap(([m, d]) => seriesNames(m, d.type as MetricType)));

test('the dashboard is valid JSON with a run variable and panels', () => {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; templating: { list: Array<{ name: string; multi?: boolean }> }; panels: unknown[] };
  assert.equal(d.uid, 'llmperf-run');
  const run = d.templating.list.find((v) => v.name === 'run');
  assert.ok(run, 'a $run variable');
  assert.equal(run.multi, false, 'one run at a time');
  assert.ok(d.panels.length >= 15);
});

test('every query references only series names the output emits, and filters on $run', () => {
  const qs = dashboardQueries();
  assert.ok(qs.length >= 25, `queries: ${qs.length}`);
  const used = new Set<string>();
  for (const { where, expr } of qs) {
    const names = expr.match(/\bllmperf_[a-zA-Z0-9_]+/g) ?? [];
    assert.ok(names.length > 0, `${where}: ${expr} queries no llmperf series`);
    for (const n of names) {
      assert.ok(EMITTED.has(n), `${where}: ${n} is not a series --out prometheus-rw emits`);
      used.add(n);
    }
    if (where !== 'variable $run') {
      for (const sel of expr.match(/llmperf_[a-zA-Z0-9_]+\{[^}]*\}/g) ?? []) assert.match(sel, /run="\$run"/, `${where}: ${sel} must filter on run="$run"`);
      assert.doesNotMatch(expr, /llmperf_[a-zA-Z0-9_]+(?!\{|[a-zA-Z0-9_])/, `${where}: every series needs a {run="$run"} selector: ${expr}`);
    } else assert.ok(labelValuesSelector(expr), `$run uses label_values(): ${expr}`);
  }
  for (const need of ['llmperf_llm_reqs_total', 'llmperf_llm_ttft_p95', 'llmperf_llm_tpot_p99', 'llmperf_llm_itl_p50', 'llmperf_llm_e2e_p95', 'llmperf_llm_output_tokens_sum', 'llmperf_vus']) {
    assert.ok(used.has(need), `the dashboard shows ${need}`);
  }
});

test('seriesNames: the naming scheme per metric type', () => {
  assert.deepEqual(seriesNames('llm_reqs', 'counter'), ['llmperf_llm_reqs_total']);
  assert.deepEqual(seriesNames('vus', 'gauge'), ['llmperf_vus']);
  assert.deepEqual(seriesNames('checks', 'rate'), ['llmperf_checks_rate', 'llmperf_checks_true_total', 'llmperf_checks_samples_total']);
  assert.deepEqual(seriesNames('llm_ttft', 'trend'), ['count', 'sum', 'avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'].map((s) => `llmperf_llm_ttft_${s}`));
});
