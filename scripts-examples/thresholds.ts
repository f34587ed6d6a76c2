// Thresholds: the run's pass/fail criteria, as in k6. Any failed threshold makes `llmperf run` exit 99.
//
//   llmperf run scripts-examples/thresholds.ts                       # passes against the mock
//   llmperf run scripts-examples/thresholds.ts --mock ttft=800ms     # fails: exit code 99
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate: 4, duration: __ENV.DURATION ?? '5s', preAllocatedVUs: 4, maxVUs: 20 },
  },
  thresholds: {
    llm_ttft: ['p(95)<500', 'p(99.9)<1500'], // ms, like every time metric
    llm_req_failed: 'rate<0.01', // a single string is fine
    llm_reqs: ['rate>=2'], // a counter's rate is per second of the run
    'llm_tpot{scenario:steady}': [
      // a sub-metric: only the samples with these tags
      { threshold: 'p(99)<50', abortOnFail: true, delayAbortEval: '2s' },
    ],
    checks: ['rate>0.99'],
    iteration_duration: ['max < 5000'], // spaces around the operator are fine
  },
} satisfies Options;

export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'Why do thresholds matter in CI?' }], max_tokens: 32 });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
