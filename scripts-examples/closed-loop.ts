// Closed loop: 8 VUs each send a request, wait for the whole answer, and send the next, for 10 s.
// The server sees a steady concurrency of 8: the way to find per-request latency at a given load.
import llm from 'llmperf/llm';
import { check } from 'llmperf';

export const options = {
  scenarios: {
    parallel: { executor: 'constant-vus', vus: 8, duration: __ENV.DURATION ?? '10s' },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    'llm_ttft{scenario:parallel}': ['p(99)<1000'],
  },
};

const questions = ['What is KV caching?', 'Why does batch size raise throughput?', 'What limits decode speed?'];

export default async function () {
  const q = questions[__ITER % questions.length]!;
  const res = await llm.chat({ messages: [{ role: 'user', content: q }], max_tokens: 48 }, { tags: { kind: 'faq' } });
  check(res, { 'no error': (r) => r.ok });
}
