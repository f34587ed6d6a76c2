// `llmperf new`: a runnable, commented script from a template, a tsconfig.json that finds the types,
// and never an overwritten file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from '../helpers.ts';
import { checkProject } from '../types/tsc.ts';
import { TEMPLATE_NAMES } from '../../runtime/templates/index.ts';

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `llmperf-new-${prefix}-`));
const FAST = ['--mock', 'ttft=5ms', '--mock', 'itl=1ms', '--mock', 'output-tokens=8'];

test('new: writes script.ts and a tsconfig.json mapping llmperf/* to this llmperf\'s types', async () => {
  const dir = tmp('default');
  const r = await runCli(['new'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /created script\.ts \(template chat\)/);
  assert.match(r.stdout, /created tsconfig\.json/);
  const script = readFileSync(path.join(dir, 'script.ts'), 'utf8');
  assert.match(script, /^\/\/ A chat benchmark/);
  assert.match(script, /llmperf run script\.ts /, 'usage comments name the file');
  const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]>; types: string[] } };
  assert.deepEqual(tsconfig.compilerOptions.paths, { llmperf: [`${ROOT}/types/index.d.ts`], 'llmperf/*': [`${ROOT}/types/*.d.ts`] });
  assert.deepEqual(tsconfig.compilerOptions.types, [], 'scripts are not Node programs');
  assert.deepEqual(checkProject(path.join(dir, 'tsconfig.json')).errors, []);
});

test('new: refuses to overwrite a file (exit 104) and leaves an existing tsconfig.json alone', async () => {
  const dir = tmp('exists');
  writeFileSync(path.join(dir, 'mine.ts'), '// my work\n');
  writeFileSync(path.join(dir, 'tsconfig.json'), '{"compilerOptions": {}}\n');
  const r = await runCli(['new', 'mine.ts'], { cwd: dir });
  assert.equal(r.code, 104);
  assert.match(r.stderr, /mine\.ts already exists; llmperf new never overwrites a file: give another name \(llmperf new mine-2\.ts\) or remove it/);
  assert.equal(readFileSync(path.join(dir, 'mine.ts'), 'utf8'), '// my work\n');
  const ok = await runCli(['new', 'sub/other.ts', '-t', 'thresholds'], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(path.join(dir, 'sub', 'other.ts')), 'parent folders are created');
  assert.ok(existsSync(path.join(dir, 'sub', 'tsconfig.json')), 'a tsconfig next to the new script');
  assert.equal(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'), '{"compilerOptions": {}}\n');
  const again = await runCli(['new', 'third.ts'], { cwd: path.join(dir, 'sub') });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /created .*tsconfig/, 'the folder already has one');
  const bad = await runCli(['new', 'x.js'], { cwd: dir });
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /templates are TypeScript; give a file name ending in \.ts/);
  const unknown = await runCli(['new', 'y.ts', '--template', 'chatty'], { cwd: dir });
  assert.equal(unknown.code, 104);
  assert.match(unknown.stderr, /chatty/);
});

test('new: every template type-checks, inspects and runs against the mock', async () => {
  const dir = tmp('templates');
  for (const t of TEMPLATE_NAMES) {
    const r = await runCli(['new', `${t}.ts`, '--template', t], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(checkProject(path.join(dir, 'tsconfig.json')).errors, []);
  const plans: Record<string, RegExp> = {
    chat: /chat: 40 iterations shared among 4 VUs \(maxDuration: 5m, gracefulStop: 30s\)/,
    'open-loop': /poisson: Poisson arrivals at 5 iterations\/s for 30s \(10-100 VUs, gracefulStop: 30s\)/,
    'multi-turn': /conversations: 3 iterations for each of 4 VUs/,
    thresholds: /gate: 4 looping VUs for 20s/,
  };
  for (const t of TEMPLATE_NAMES) {
    const i = await runCli(['inspect', `${t}.ts`], { cwd: dir });
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, plans[t]!, t);
    // run briefly: --iterations/--vus replace the template's scenarios
    const r = await runCli(['run', `${t}.ts`, '-i', '2', '-u', '1', '-e', 'TURNS=2', ...FAST], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${t}: ${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /2 complete and 0 interrupted iterations/, t);
  }
});

test('new: with llmperf installed in the project, the tsconfig uses the package exports (no paths)', async () => {
  const dir = tmp('local');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'llmperf'), 'dir');
  const r = await runCli(['new', 'load/chat.ts'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /from the installed llmperf package/);
  const tsconfig = JSON.parse(readFileSync(path.join(dir, 'load', 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  assert.equal(tsconfig.compilerOptions.paths, undefined);
  const c = checkProject(path.join(dir, 'load', 'tsconfig.json'));
  assert.deepEqual(c.errors, []);
  assert.ok(c.allFiles.some((f) => f.endsWith(path.join('node_modules', 'llmperf', 'types', 'llm.d.ts')) || f === path.join(ROOT, 'types', 'llm.d.ts')), 'llmperf/llm resolved to types/llm.d.ts');
});
