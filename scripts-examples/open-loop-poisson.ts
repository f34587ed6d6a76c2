// Open loop: requests arrive as a Poisson process at 20 req/s for 10 s, whatever the server's
// latency — the way production traffic arrives. llm_schedule_lag shows if the client kept up.
import llm from 'llmperf/llm';

export const options = {
  scenarios: {
    poisson: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE ?? 20),
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '10s',
      arrival: 'poisson',
      seed: 42,
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    llm_schedule_lag: ['p(99)<50'],
  },
};

export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'Summarise the benefits of continuous batching.' }], max_tokens: 32 });
}
