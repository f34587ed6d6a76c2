// Options: scenarios, the LLM target, SLOs, tags and the summary. Every value can also come from a
// --config file (below the script), LLMPERF_* variables and flags (above it); `llmperf inspect` shows
// where each resolved value came from.
//
//   llmperf run scripts-examples/options-layers.ts
//   llmperf inspect scripts-examples/options-layers.ts --config scripts-examples/config/staging.json
//   LLMPERF_MODEL=qwen2.5-7b llmperf inspect scripts-examples/options-layers.ts --url http://127.0.0.1:8000/v1
import llm from 'llmperf/llm';
import type { Options } from 'llmperf/options';

export const options = {
  scenarios: {
    // closed loop first: 2 VUs for a few seconds
    closed: { executor: 'constant-vus', vus: 2, duration: '3s', tags: { load: 'closed' } },
    // then an open loop whose rate ramps from 2/s to 6/s
    ramp: {
      executor: 'ramping-arrival-rate',
      startTime: '3s',
      startRate: 2,
      stages: [{ duration: '3s', target: 6 }],
      preAllocatedVUs: 4,
      maxVUs: 20,
      arrival: 'poisson',
      tags: { load: 'open' },
    },
  },
  llm: {
    // url: 'http://127.0.0.1:8000/v1',  // default: the built-in mock server (or --url / LLMPERF_URL)
    model: 'mock-llm',
    timeout: '2m', // per request
    headers: { 'x-benchmark': 'llmperf' },
  },
  slo: { ttft: 500, tpot: 50 }, // requests meeting both count as goodput
  thresholds: {
    'llm_ttft{load:open}': ['p(95)<1000'],
    llm_goodput: ['count>0'],
  },
  tags: { team: 'inference' }, // on every sample
  summaryTrendStats: ['avg', 'p(50)', 'p(99)', 'max'],
  name: 'options-example',
} satisfies Options;

export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'Name one serving framework.' }], max_tokens: 16 });
}
