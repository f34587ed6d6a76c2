/** `llmperf new --template thresholds`: a pass/fail gate for CI, with SLOs and goodput. */
export const thresholdsTemplate = {
  name: 'thresholds',
  description: 'a CI gate: SLOs, goodput, thresholds that fail the run (exit 99) or abort it early',
  source: String.raw`// A pass/fail gate for CI: the run exits 0 when every threshold holds and 99 when one fails, so a
// pipeline step "llmperf run SCRIPT" fails on a latency regression.
//
//   llmperf run SCRIPT --url http://127.0.0.1:8000/v1 --model my-model
//   llmperf run SCRIPT --summary-export summary.json   # keep the figures
//
// Expressions are "<aggregation> <operator> <number>": avg, min, max, med, p(N), count, sum for
// trends; rate and count for rates and counters; value for gauges. Numbers are plain: milliseconds
// for times, a fraction for rates (no "ms", no "%").
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import { Rate } from 'llmperf/metrics';
import type { Options } from 'llmperf/options';

const truncated = new Rate('truncated_answers'); // share of answers cut by max_tokens

export const options = {
  scenarios: {
    gate: { executor: 'constant-vus', vus: 4, duration: __ENV.DURATION ?? '20s' },
  },
  // A request is "good" when it meets every SLO; llm_goodput counts them (the summary shows goodput/s).
  slo: { ttft: 1000, tpot: 50 },
  thresholds: {
    llm_req_failed: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }], // stop early when the server is down
    llm_ttft: ['p(95)<1000', 'p(99)<2000'],
    llm_tpot: ['p(95)<50'],
    llm_e2e: ['max<10000'],
    llm_reqs: ['count>0'], // a run that sent nothing fails too
    'llm_ttft{scenario:gate}': ['med<800'], // a sub-metric: samples with these tags only
    checks: ['rate>0.99'],
    truncated_answers: ['rate<=1'],
  },
} satisfies Options;

export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'Name three uses of a load tester.' }], max_tokens: 64 });
  check(res, { 'status is 200': (r) => r.status === 200 });
  if (res.ok) truncated.add(res.finishReason === 'length');
}
`,
};
