// The smallest useful llmperf script: 4 VUs share 40 chat requests against the target
// (the built-in mock server when no --url is given).
import llm from 'llmperf/llm';
import { check } from 'llmperf';

export const options = {
  scenarios: {
    quickstart: { executor: 'shared-iterations', vus: 4, iterations: 40, maxDuration: '1m' },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    llm_ttft: ['p(95)<2000'],
  },
};

export default async function () {
  const res = await llm.chat({
    messages: [{ role: 'user', content: 'Explain what time to first token measures, in one paragraph.' }],
    max_tokens: 64,
  });
  check(res, { 'status is 200': (r) => r.status === 200, 'got text': (r) => r.text.length > 0 });
}
