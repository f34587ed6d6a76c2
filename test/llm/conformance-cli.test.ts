// The conformance suite through the built CLI (see conformance.test.ts for the cases through run()):
// what a user sees of the quirks of a real stack: the WARN lines, the text summary, summary.json,
// the report's banners, perf's tables, and two perf runs started together under one name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempFiles } from '../helpers.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { startQuirkServer, type QuirkServer } from './quirk-server.ts';

let srv: QuirkServer;
before(async () => {
  srv = await startQuirkServer();
});
after(async () => {
  await srv.close();
});

const SCRIPT = `import llm from 'llmperf/llm';
export const options = { scenarios: { q: { executor: 'shared-iterations', vus: 2, iterations: 4 } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'Tell me about proxies.' }], max_tokens: 64 });
}
`;

test('case 1.5: behind a buffering proxy the CLI warns, the summary says so, and the report shows a banner', async () => {
  srv.set('cli-buffered', { events: 48, ttftMs: 20, itlMs: 6, bufferBytes: 4096 });
  const dir = tempFiles({ 's.ts': SCRIPT });
  const out = path.join(dir, 'run');
  const r = await runCli(['run', path.join(dir, 's.ts'), '--url', srv.url('cli-buffered'), '--out-dir', out, '--no-thresholds'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARN 1 of 1 streamed responses arrived in bursts/);
  assert.match(r.stderr, /WARN 4 of 4 streamed responses arrived in bursts.*proxy_buffering off/);
  assert.match(r.stdout, /Stream health\s+none of the 4 responses really streamed/);
  assert.doesNotMatch(r.stdout, /TPOT \(ms\)/, 'no TPOT row built from buffered streams');
  const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SummaryData;
  assert.equal(s.streamHealth?.buffered, 4);
  assert.equal(s.metrics.llm_not_streamed?.values.count, 4);
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<section id="stream-health" class="banner warn">/);
  assert.match(html, /proxy_buffering off/);
});

test('case 2.4: estimated token counts are labelled in the text summary, the report and the progress line, with the --tokenizer hint', async () => {
  srv.set('cli-nousage', { usage: 'none', events: 10, wordsPerEvent: 3 });
  const dir = tempFiles({ 's.ts': SCRIPT });
  const out = path.join(dir, 'run');
  const r = await runCli(['run', path.join(dir, 's.ts'), '--url', srv.url('cli-nousage'), '--out-dir', out], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Token counts\s+output: estimated; input: estimated/);
  assert.match(r.stdout, /pass --tokenizer/);
  assert.match(r.stderr, /WARN token counts are estimated/);
  assert.match(r.stderr, /tok\/s \(tokens estimated: pass --tokenizer\)/, 'the progress line');
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<section id="token-counts" class="banner warn">/);
  assert.match(html, /output: estimated; input: estimated/);
});

test('case 5.2: perf prints token provenance and reasoning rows in its tables, and notes what to do', async () => {
  srv.set('cli-perf-reasoning', { usage: 'none', reasoningEvents: 4, events: 6, ttftMs: 20, itlMs: 5 });
  const dir = tempFiles({});
  const r = await runCli(['perf', '--url', `${srv.url('cli-perf-reasoning')}/chat/completions`, '--model', 'm', '--prompt', 'hi', '-n', '3', '--parallel', '1', '--outputs-dir', path.join(dir, 'o')], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| Token Counts +\| output: estimated; input: estimated \|/);
  assert.match(r.stdout, /\| Avg TTFT Answer \(ms\) +\|/);
  assert.match(r.stdout, /\| Avg Reasoning Tokens +\|/);
  assert.match(r.stdout, /\| TTFT answer \(ms\) +\|/);
  assert.match(r.stdout, /\| Reasoning tokens +\|/);
  assert.match(r.stdout, /note: token counts are estimated .*--tokenizer-path/);
  // evalscope's own files stay evalscope's
  const root = path.join(dir, 'o');
  const stamp = readdirSync(root)[0]!;
  const runDir = path.join(root, stamp, 'm', 'parallel_1_number_3');
  const keys = JSON.parse(readFileSync(path.join(runDir, 'benchmark_summary.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(keys['Token Counts'], undefined);
  assert.equal(keys['Avg Reasoning Tokens'], undefined);
});

test('case 6.4: two perf runs with the same --name started in the same second both succeed, in folders of their own', async () => {
  srv.set('cli-perf-same', { events: 4, ttftMs: 5, itlMs: 2 });
  const dir = tempFiles({});
  const args = ['perf', '--url', `${srv.url('cli-perf-same')}/chat/completions`, '--model', 'm', '--prompt', 'hi', '-n', '4', '--parallel', '2', '--name', 'same', '--outputs-dir', path.join(dir, 'o')];
  const [a, b] = await Promise.all([runCli(args, { cwd: dir }), runCli(args, { cwd: dir })]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const roots = readdirSync(path.join(dir, 'o')).flatMap((stamp) => readdirSync(path.join(dir, 'o', stamp)).map((n) => `${stamp}/${n}`));
  assert.equal(roots.length, 2, roots.join(', '));
  for (const root of roots) {
    const keys = JSON.parse(readFileSync(path.join(dir, 'o', root, 'parallel_2_number_4', 'benchmark_summary.json'), 'utf8')) as Record<string, number>;
    assert.equal(keys['Success Requests'], 4, root);
  }
});
