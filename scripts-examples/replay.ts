// Trace replay: requests arrive when a production trace says they did (Mooncake's JSONL format:
// {"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [...]} a line). Each iteration
// replays one record: exec.scenario.replay holds a prompt of about input_length tokens whose leading
// blocks follow hash_ids (so the trace's prefix reuse reaches the server's prefix cache) and the
// output length to ask for. TIME_SCALE=0.5 replays twice as fast.
//
//   llmperf run scripts-examples/replay.ts
//   llmperf run scripts-examples/replay.ts --url http://127.0.0.1:8000/v1 -e TRACE=./my-trace.jsonl
import llm from 'llmperf/llm';
import exec from 'llmperf/execution';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  scenarios: {
    trace: {
      executor: 'replay',
      trace: __ENV.TRACE ?? './data/mooncake-sample.jsonl', // relative to this script
      timeScale: Number(__ENV.TIME_SCALE ?? 1),
      preAllocatedVUs: 20, // about arrival rate x latency; more are added up to maxVUs (an arrival finding none idle is dropped)
      maxVUs: 100,
    },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    dropped_iterations: ['count<1'], // every record was sent on time
  },
} satisfies Options;

export default async function () {
  const r = exec.scenario.replay!;
  const res = await llm.chat(
    { messages: [{ role: 'user', content: r.prompt }], max_tokens: r.outputLength },
    { tags: { prefix: String(r.hashIds[0] ?? 'none') } },
  );
  check(res, { 'answered with the trace length': (x) => x.ok && x.outputTokens === r.outputLength });
}
