/** Fixtures of the report tests: a real run against the mock server, and a hand-made summary full of hostile strings. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { Timeline, type TimelineData } from '../../runtime/report/index.ts';

export const XSS = '<img src=x onerror=alert(1)>';
export const XSS2 = '</script><script>alert(2)</script>';

/** Runs `source` against the embedded mock with a Timeline attached; writes summary.json and timeline.json into dir. */
export async function recordRun(dir: string, source: string, mockOptions: Record<string, unknown>): Promise<{ summary: SummaryData; timeline: TimelineData; exitCode: number }> {
  mkdirSync(dir, { recursive: true });
  const timeline = new Timeline();
  const out = await run({
    script: { source, filename: 'report-test.ts' },
    listeners: [timeline],
    mockOptions,
    systemEnv: false,
    log: () => {},
    onResult: (_r, summary) => {
      writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
      writeFileSync(path.join(dir, 'timeline.json'), JSON.stringify(timeline.toJSON()));
    },
  });
  return { summary: out.summary, timeline: timeline.toJSON(), exitCode: out.exitCode };
}

/** A steady open-loop run of ~`seconds` with 5 % HTTP 500s and a check whose name is an XSS payload. */
export function steadyScript(rate: number, seconds: number): string {
  return `
import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = {
  scenarios: { steady: { executor: 'constant-arrival-rate', rate: ${rate}, duration: '${seconds}s', preAllocatedVUs: 20, maxVUs: 80 } },
  thresholds: { llm_ttft: ['p(95)<2000'], llm_req_failed: ['rate<0.5'] },
};
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'Explain time to first token.' }], max_tokens: 64 });
  check(res, { ${JSON.stringify(XSS)}: (r) => r.ok });
}`;
}

/** A closed-loop run: `vus` VUs for `iterations` requests in total (one sweep level). */
export function closedLoopScript(vus: number, iterations: number): string {
  return `
import llm from 'llmperf/llm';
export const options = { scenarios: { level: { executor: 'shared-iterations', vus: ${vus}, iterations: ${iterations}, maxDuration: '1m' } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 32 });
}`;
}

/** A summary whose every string field carries a payload. */
export function hostileSummary(): SummaryData {
  const lat = { avg: 80, 'p(50)': 75, 'p(90)': 110, 'p(95)': 120, 'p(99)': 150, max: 170 };
  return {
    schemaVersion: 1,
    llmperf: { version: XSS, node: 'v20' },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 3000, stopReason: 'script-abort', abortMessage: XSS, startedAt: XSS },
    target: { url: `http://127.0.0.1:1/${XSS}`, embeddedMock: false, model: XSS2, api: 'openai' },
    options: { note: XSS2, apiKey: '[REDACTED]' },
    scenarios: [{ name: XSS, executor: 'constant-vus', description: XSS2 }],
    metrics: { llm_ttft: { type: 'trend', contains: 'time', values: { ...lat, count: 10 } } },
    root_group: { name: '', path: '', id: '0', groups: [], checks: [{ name: XSS, path: `::${XSS}`, id: '1', passes: 3, fails: 1 }] },
    thresholds: [{ metric: XSS, source: XSS2, ok: false, observed: 1, aggregation: XSS }],
    llm: {
      durationMs: 3000, requests: 10, succeeded: 9, failed: 1, interrupted: 0, successRate: 0.9, requestThroughput: 3, outputTokenThroughput: 90, inputTokenThroughput: 30,
      totalTokenThroughput: 120, inputTokens: 90, outputTokens: 270, goodput: null, goodputShare: null, slo: null, peakConcurrency: 4,
      errors: { [XSS]: 1 }, errorSamples: { [XSS]: `server said ${XSS} ${XSS2}` }, stats: Object.keys(lat),
      percentiles: { llm_ttft: lat, llm_tpot: lat, llm_e2e: lat }, tokenCountSources: '',
    },
    scriptErrors: [{ position: XSS, message: XSS2, count: 2 }],
    iterations: { completed: 10, interrupted: 0, dropped: 0 },
    vusMax: 4,
  };
}

/** A small timeline with a hostile error code key. */
export function hostileTimeline(): TimelineData {
  const tl = new Timeline({ monoNow: () => 0 });
  for (let i = 0; i < 30; i++) {
    const start = i * 100;
    tl.onRecord({
      id: i, scenario: XSS, vu: 1, iter: i, api: 'openai', model: XSS, url: XSS, tags: {}, plannedStart: null, start, startWall: 1e12 + start, startMono: start,
      ttfb: 10, ttft: 50 + i, e2e: 300 + i, tpot: 8, itl: [8, 8, 9], chunks: 4, inputTokens: 9, outputTokens: 30, inputTokenSource: 'usage', outputTokenSource: 'usage',
      status: i % 10 === 0 ? 500 : 200, ok: i % 10 !== 0, errorCode: i % 10 === 0 ? (XSS2 as 'HTTP_5XX') : null, errorMessage: XSS, finishReason: 'stop',
      bytesSent: 1, bytesReceived: 1, requestBody: XSS, responseText: XSS, good: null, responseId: XSS, batchSize: null, cachedTokens: null,
      ttftAnswer: null, reasoningTokens: null, answerTokens: null, reasoningTokenSource: null, reasoningText: null, streamCheck: 'ok', contentType: 'text/event-stream', endedWithoutDone: false, choices: 1, choiceTexts: null,
    });
  }
  return tl.toJSON();
}
