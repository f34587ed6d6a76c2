// handleSummary(data): replace the end-of-test text with your own outputs. It receives the summary
// object (the same as --summary-export writes) and returns { stdout?, stderr?, "<file path>": content }.
// File paths are relative to the current directory; objects are written as JSON.
//
//   llmperf run scripts-examples/handle-summary.ts
//   llmperf run scripts-examples/handle-summary.ts -e SUMMARY_FILE=out/summary.json
import llm from 'llmperf/llm';
import type { SummaryData } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  vus: 2,
  iterations: 6,
  thresholds: { llm_ttft: ['p(95)<2000'] },
} satisfies Options;

export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'One sentence on goodput.' }], max_tokens: 24 });
}

export function handleSummary(data: SummaryData): Record<string, string | object> {
  const l = data.llm;
  const ttft = data.metrics.llm_ttft?.values['p(95)'] ?? 0;
  const passed = data.thresholds.every((t) => t.ok);
  const line =
    (passed ? 'PASS' : 'FAIL') + ' ' + l.requests + ' requests, ' + l.requestThroughput.toFixed(2) + ' req/s, ' +
    l.outputTokenThroughput.toFixed(1) + ' tok/s, p95 TTFT ' + ttft.toFixed(1) + ' ms\n';
  const out: Record<string, string | object> = { stdout: line };
  if (__ENV.SUMMARY_FILE) out[__ENV.SUMMARY_FILE] = data; // written as JSON
  return out;
}
