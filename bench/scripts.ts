/**
 * The llmperf scripts the benchmark runs, generated as JavaScript source into the run's scratch
 * folder (llmperf bundles them like any user script). Each does what a typical user script does:
 * one streaming chat request (the same body as the baseline's) and one check.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const PROMPT = 'Explain time to first token in one paragraph.';

function body(maxTokens: number, requestIdPrefix: string | undefined): string {
  const headers = requestIdPrefix !== undefined ? `, { headers: { 'x-request-id': ${JSON.stringify(requestIdPrefix)} + __VU + '-' + __ITER } }` : '';
  return `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: ${JSON.stringify(PROMPT)} }], max_tokens: ${maxTokens} }${headers});
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;
}

function write(dir: string, name: string, options: unknown, maxTokens: number, requestIdPrefix?: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `export const options = ${JSON.stringify(options)};\n${body(maxTokens, requestIdPrefix)}`);
  return file;
}

/**
 * constant-vus: `vus` closed loops for `durationMs`; with rampMs, ramping-vus from 0 to `vus` over
 * rampMs, then `durationMs` at `vus`. With requestIdPrefix, sends x-request-id: <prefix><vu>-<iter>.
 */
export function closedLoopScript(dir: string, name: string, o: { vus: number; durationMs: number; maxTokens: number; rampMs?: number; requestIdPrefix?: string }): string {
  const options = o.rampMs
    ? { scenarios: { bench: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: `${o.rampMs}ms`, target: o.vus }, { duration: `${o.durationMs}ms`, target: o.vus }] } } }
    : { scenarios: { bench: { executor: 'constant-vus', vus: o.vus, duration: `${o.durationMs}ms` } } };
  return write(dir, name, options, o.maxTokens, o.requestIdPrefix);
}

/** constant-arrival-rate with Poisson arrivals (seed 1). */
export function openLoopScript(dir: string, name: string, o: { rate: number; durationMs: number; preAllocatedVUs: number; maxVUs: number; maxTokens: number }): string {
  const options = {
    scenarios: {
      bench: {
        executor: 'constant-arrival-rate', rate: o.rate, timeUnit: '1s', duration: `${o.durationMs}ms`, arrival: 'poisson',
        preAllocatedVUs: o.preAllocatedVUs, maxVUs: o.maxVUs,
      },
    },
  };
  return write(dir, name, options, o.maxTokens);
}

/** One VU, one request. */
export function oneShotScript(dir: string, name: string, maxTokens: number): string {
  const options = { scenarios: { bench: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } } };
  return write(dir, name, options, maxTokens);
}
