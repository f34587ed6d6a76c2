// The replay executor: parsing, the trace read by prepare(), the plan, segments, and a real run in
// which every iteration sees its record (exec.scenario.replay) at the trace's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { run } from '../../runtime/api.ts';
import { applySegment, parseScenario, planScenario, prepareScenarios } from '../../runtime/executors/index.ts';
import { parseSegment } from '../../runtime/executors/segment.ts';
import type { ReplayConfig } from '../../runtime/executors/types.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import { ROOT } from '../helpers.ts';

const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');
const TRACE = 'mooncake-sample.jsonl';
const lines = readFileSync(path.join(TRACES, TRACE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { timestamp: number; input_length: number; output_length: number; hash_ids: number[] });
const env = { baseDir: TRACES, tokenizer: async () => undefined };

async function prepared(raw: Record<string, unknown>): Promise<ReplayConfig> {
  const [c] = await prepareScenarios([parseScenario('trace', { executor: 'replay', trace: TRACE, ...raw })], env);
  return c as ReplayConfig;
}

test('replay: scenario options are checked', () => {
  assert.throws(() => parseScenario('t', { executor: 'replay' }), /scenarios\.t\.trace is required/);
  assert.throws(() => parseScenario('t', { executor: 'replay', trace: 'x.jsonl', timeScale: 0 }), /timeScale must be > 0/);
  assert.throws(() => parseScenario('t', { executor: 'replay', trace: 'x.jsonl', rate: 5 }), /unknown option "rate"/);
});

test('replay: prepare() reads the trace relative to the script; the plan spans it, scaled', async () => {
  const first = lines[0]!.timestamp;
  const last = lines[lines.length - 1]!.timestamp;
  const c = await prepared({});
  assert.equal(c.entries!.length, lines.length);
  const p = planScenario(c);
  assert.equal(p.iterations, lines.length);
  assert.equal(p.durationMs, last - first + 1 + 1000); // the span and a margin for the last arrival
  assert.match(p.description, new RegExp(`^replay of ${lines.length} requests from ${TRACE} over`));
  assert.equal(JSON.stringify(c).includes('"entries"'), false, 'the records stay out of run.json');
  const half = await prepared({ timeScale: 0.5, preAllocatedVUs: 3, maxVUs: 7 });
  assert.equal(planScenario(half).durationMs, (last - first) / 2 + 1 + 1000);
  assert.deepEqual([half.entries![1]!.offset, planScenario(half).maxVUs], [(lines[1]!.timestamp - first) / 2, 7]);
  const cut = await prepared({ duration: '500ms' });
  assert.equal(cut.entries!.length, lines.filter((l) => l.timestamp - first < 500).length);
  await assert.rejects(prepareScenarios([parseScenario('t', { executor: 'replay', trace: 'missing.jsonl' })], env), /missing\.jsonl/);
});

test('replay: execution segments split the records between instances', async () => {
  const seq = '0,1/3,2/3,1';
  const parts = await Promise.all(['0:1/3', '1/3:2/3', '2/3:1'].map(async (s) => {
    const c = applySegment(parseScenario('trace', { executor: 'replay', trace: TRACE }), parseSegment(s, seq));
    const [p] = await prepareScenarios([c], env);
    return (p as ReplayConfig).entries!.map((e) => e.index);
  }));
  const all = parts.flat().sort((a, b) => a - b);
  assert.deepEqual(all, lines.map((_, i) => i));
  for (const p of parts) assert.ok(p.length >= 16 && p.length <= 17, `share ${p.length}`);
});

test('replay: each iteration gets its record at the trace time; prompts follow hash_ids', async () => {
  const records: RequestRecord[] = [];
  const out = await run({
    script: {
      baseDir: TRACES,
      filename: 'replay-test.ts',
      source: `
        import llm from 'llmperf/llm';
        import exec from 'llmperf/execution';
        import { check } from 'llmperf';
        export const options = { scenarios: { trace: { executor: 'replay', trace: './${TRACE}', timeScale: 0.5, preAllocatedVUs: 20, maxVUs: 60 } } };
        export default async function () {
          const r = exec.scenario.replay;
          const res = await llm.chat({ messages: [{ role: 'user', content: r.prompt }], max_tokens: r.outputLength },
            { tags: { index: String(r.index), offset: String(r.offset), hash0: String(r.hashIds[0]) } });
          check(res, {
            'output length from the trace': (x) => x.outputTokens === r.outputLength,
            'prompt of about input_length words': () => Math.abs(r.prompt.split(/\\s+/).length - r.inputLength) <= 2,
            'executor is replay': () => exec.scenario.executor === 'replay',
          });
        }`,
    },
    mockOptions: { ttftMs: 5, itlMs: 1 },
    listeners: [{ onRecord: (r) => records.push(r) }],
    log: () => {},
  });
  assert.equal(out.exitCode, 0, out.stdout);
  // each trace line became one request, or (no VU free in time on a busy machine) a dropped iteration
  assert.equal(records.length + out.summary.iterations.dropped, lines.length);
  assert.ok(records.length > 0, 'requests were made');
  assert.deepEqual(out.summary.root_group.checks.map((c) => [c.name, c.fails]), [
    ['output length from the trace', 0], ['prompt of about input_length words', 0], ['executor is replay', 0],
  ]);
  const t0 = lines[0]!.timestamp;
  for (const r of records) {
    const i = Number(r.tags.index);
    assert.equal(Number(r.tags.offset), (lines[i]!.timestamp - t0) * 0.5);
    assert.ok(r.plannedStart !== null && Math.abs(r.plannedStart - Number(r.tags.offset)) < 1, `planned ${r.plannedStart} vs ${r.tags.offset}`);
    // lateness depends on the scheduler: bounded generously (it is measured as llm_schedule_lag)
    assert.ok(r.start - r.plannedStart! >= -1 && r.start - r.plannedStart! < 1000, `record ${i} started ${r.start - r.plannedStart!} ms late`);
  }
  assert.ok(out.summary.state.testRunDurationMs < ((lines[lines.length - 1]!.timestamp - t0) * 0.5) + 5000, `${out.summary.state.testRunDurationMs} ms`);
  // equal leading hash ids -> equal leading 512-token block; different ones -> different text
  const prompt = (r: RequestRecord) => (JSON.parse(r.requestBody!) as { messages: Array<{ content: string }> }).messages[0]!.content;
  const byHash = new Map<string, RequestRecord[]>();
  for (const r of records) byHash.set(r.tags.hash0!, [...(byHash.get(r.tags.hash0!) ?? []), r]);
  const groups = [...byHash.values()].filter((g) => g.length >= 2);
  assert.ok(groups.length >= 2, 'the fixture has prefix families');
  const head = (r: RequestRecord) => prompt(r).split(/\s+/).slice(0, 200).join(' ');
  for (const g of groups) assert.equal(head(g[0]!), head(g[1]!));
  assert.notEqual(head(groups[0]![0]!), head(groups[1]![0]!));
});
