// The programmatic API, from a Node program (not a script): run a test, read the summary.
// Run it with Node's --no-node-snapshot flag (isolated-vm needs it), e.g.
//
//   node --no-node-snapshot --import tsx scripts-examples/node/run-api.ts
import { run, LlmperfError, type RunOutput } from 'llmperf';

const source = `
import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = { vus: 2, iterations: 6, thresholds: { llm_ttft: ['p(95)<2000'] } };
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'Hello' }], max_tokens: 16 });
  check(res, { ok: (r) => r.ok });
}
`;

let out: RunOutput;
try {
  out = await run({
    script: { source }, // or a path: script: 'scripts-examples/quickstart.ts'
    overrides: { iterations: 4 }, // like CLI flags
    mockOptions: { ttft: '20ms', itl: '2ms', outputTokens: 16 }, // no URL: the built-in mock server
    log: () => {}, // progress lines and script logs (default: stderr)
  });
} catch (e) {
  // the run could not start: bad options (code INVALID_CONFIG, exit 104), script errors (107), ...
  if (e instanceof LlmperfError) console.error(e.code + ': ' + e.message);
  throw e;
}
const { llm } = out.summary;
console.log('exit code ' + out.exitCode + ' (0: thresholds passed, 99: one failed)');
console.log(llm.requests + ' requests, ' + llm.requestThroughput.toFixed(1) + ' req/s, p95 TTFT ' + llm.percentiles.llm_ttft?.['p(95)']?.toFixed(1) + ' ms');
