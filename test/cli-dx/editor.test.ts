// Editor set-up (issue 19): the tsconfig `llmperf new` writes survives results folders, `new` says
// how to get tsc (TypeScript as a devDependency, not the unrelated "tsc" package), the perf.ts that
// `llmperf perf` leaves type-checks under that tsconfig, and a failed perf run leaves no stray files.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generateScript } from '../../runtime/perf/script.ts';
import type { PerfOptions } from '../../runtime/perf/config.ts';
import { runCli } from '../helpers.ts';
import { checkFiles, checkProject } from '../types/tsc.ts';

const FAST = ['--mock', 'ttft=5ms', '--mock', 'itl=1ms', '--mock', 'output-tokens=8'];

/** Every file under `dir`, relative. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

test('new: the tsconfig leaves out results folders; new prints the exact commands to type-check, TypeScript as a devDependency', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-editor-'));
  const r = await runCli(['new'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n {2}npm install --save-dev typescript\n {2}npx tsc -p tsconfig\.json\n/);
  const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { exclude: string[] };
  assert.deepEqual(tsconfig.exclude, ['node_modules', '**/llmperf-results', '**/outputs']);
  // a run and a perf run leave their folders next to the script: the project still type-checks
  const run = await runCli(['run', 'script.ts', '-i', '2', ...FAST], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const perf = await runCli(['perf', '--model', 'm', '--parallel', '1', '-n', '2', '--prompt', 'hi', ...FAST], { cwd: dir });
  assert.equal(perf.code, 0, perf.stderr);
  writeFileSync(path.join(dir, 'outputs', 'broken.ts'), 'const x: number = "no";\n');
  const project = checkProject(path.join(dir, 'tsconfig.json'));
  assert.deepEqual(project.errors, []);
  assert.deepEqual(project.files.map((f) => path.relative(dir, f)), ['script.ts'], 'results folders are not part of the project');
  // and the perf.ts perf left, checked with the same compiler options, has no error either
  const perfTs = tree(dir).filter((f) => f.endsWith('perf.ts'));
  assert.equal(perfTs.length, 1);
  const opts = (JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> }).compilerOptions;
  assert.deepEqual(checkFiles(perfTs.map((f) => path.join(dir, f)), opts, dir).errors, []);
});

test('the perf.ts of every request shape type-checks under the tsconfig llmperf new writes (it had 16 errors): every API kind and mode (one request, a conversation, a trace record)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-perfts-'));
  const r = await runCli(['new', 'x.ts'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const opts = (JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> }).compilerOptions;
  const base = { model: 'qwen', api: 'openai', headers: {}, testConnection: true, number: [4], parallel: [2], rate: [-1], openLoop: false, warmupNum: 0, sleepInterval: 0, logEveryNQuery: 0, debug: false, dataset: 'openqa', datasetOffset: 0, stream: true, outputsDir: 'outputs', noTimestamp: false } as unknown as PerfOptions;
  const variants: Array<[string, Partial<PerfOptions>, Record<string, unknown>]> = [
    ['prompt', { prompt: 'hi', maxTokens: 16, stop: ['x'] }, {}],
    ['dataset', { datasetPath: 'data.jsonl', tokenizerPath: 'tiktoken:o200k_base', extraArgs: { ignore_eos: true } }, {}],
    ['random', { dataset: 'random', minPromptLength: 10, maxPromptLength: 20, seed: 3 }, {}],
    ['template', { prompt: 'hi' }, { template: { model: '{model}', messages: [{ role: 'user', content: '{prompt}' }], max_tokens: '{max_tokens}' } }],
    ['dashscope', { api: 'dashscope', prompt: 'hi' }, { template: { model: 'm', input: { messages: [] }, parameters: {} } }],
    ['max-tokens-range', { prompt: 'hi', maxTokens: [8, 32] as unknown as number }, {}],
    ['multi-turn', { dataset: 'multi_turn', datasetPath: 'conv.jsonl', multiTurn: true, maxTurns: 3 }, { turnRate: 2 }],
    ['trace', { dataset: 'workload_trace', datasetPath: 'trace.jsonl', headers: { 'X-Tenant': 'a' } }, {}],
    ['embeddings', { api: 'openai_embedding', prompt: 'hi' }, {}],
    ['rerank', { api: 'openai_rerank', prompt: 'hi' }, {}],
    ['responses', { api: 'openai_responses', prompt: 'hi' }, {}],
  ];
  const files: string[] = [];
  for (const [name, o, extra] of variants) {
    const file = path.join(dir, 'outputs', `${name}.perf.ts`);
    const source = generateScript({ o: { ...base, ...o } as PerfOptions, scenario: { executor: 'shared-iterations', vus: 2, iterations: 4 }, url: 'http://127.0.0.1:1/v1', api: o.api ?? 'openai', endpoint: name === 'random' ? 'completions' : 'chat', offset: 0, commandLine: 'llmperf perf ...', baseDir: dir, ...extra });
    (await import('node:fs')).mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, source);
    files.push(file);
  }
  assert.deepEqual(checkFiles(files, opts, dir).errors, []);
});

test('a failed perf run leaves no stray files; one that existed before keeps its own', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-perf-fail-'));
  writeFileSync(path.join(dir, 'bad.jsonl'), '{"x": 1}\n');
  const before = tree(dir);
  const r = await runCli(['perf', '--model', 'm', '-n', '2', '--dataset', 'openqa', '--dataset-path', 'bad.jsonl', ...FAST], { cwd: dir });
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /bad\.jsonl:1: missing "question"/);
  assert.deepEqual(tree(dir), before, 'no outputs/<stamp>/m/benchmark.log, no perf.ts');
  // a --no-timestamp folder of earlier results keeps them; the failed run's own folder goes
  const ok = await runCli(['perf', '--model', 'm', '-n', '2', '--prompt', 'hi', '--no-timestamp', ...FAST], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  const kept = tree(dir);
  const again = await runCli(['perf', '--model', 'm', '--parallel', '2', '-n', '2', '--dataset', 'openqa', '--dataset-path', 'bad.jsonl', '--no-timestamp', ...FAST], { cwd: dir });
  assert.equal(again.code, 104, again.stderr);
  assert.deepEqual(tree(dir).filter((f) => !f.endsWith('benchmark.log')), kept.filter((f) => !f.endsWith('benchmark.log')));
});
