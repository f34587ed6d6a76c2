// The script API's hand-written types (types/*.d.ts): every example type-checks against them, and the
// mistakes they exist to catch are caught, with the TypeScript error a user would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers.ts';
import { checkFiles, checkProject } from './tsc.ts';

const TYPES = path.join(ROOT, 'types');
/** What `llmperf new` writes when llmperf is not installed in the project. */
const SCRIPT_OPTIONS = {
  target: 'ES2022', lib: ['ES2022'], module: 'ESNext', moduleResolution: 'Bundler', strict: true, types: [], skipLibCheck: false,
  paths: { llmperf: [`${TYPES}/index.d.ts`], 'llmperf/*': [`${TYPES}/*.d.ts`] },
};

test('every script in scripts-examples/ type-checks against types/ (scripts-examples/tsconfig.json)', () => {
  const r = checkProject(path.join(ROOT, 'scripts-examples', 'tsconfig.json'));
  const scripts = readdirSync(path.join(ROOT, 'scripts-examples'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('node_modules'))
    .map((f) => path.join(ROOT, 'scripts-examples', f));
  assert.ok(scripts.length >= 3);
  assert.deepEqual([...r.files].sort(), [...scripts].sort(), 'the tsconfig covers every example');
  assert.deepEqual(r.errors, []);
  for (const m of ['index', 'llm', 'metrics', 'data', 'execution', 'options', 'globals']) {
    assert.ok(r.allFiles.includes(path.join(TYPES, `${m}.d.ts`)), `types/${m}.d.ts is exercised by some example`);
  }
});

test('types/*.d.ts compile on their own under strict (no lib check skipped)', () => {
  const files = readdirSync(TYPES).filter((f) => f.endsWith('.d.ts')).map((f) => path.join(TYPES, f));
  const r = checkFiles(files, { ...SCRIPT_OPTIONS, paths: undefined }, ROOT);
  assert.deepEqual(r.errors, []);
});

const GOOD = `import llm from 'llmperf/llm';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '10s' } },
  thresholds: { llm_ttft: ['p(95)<500', 'avg < 300'], llm_req_failed: 'rate<0.01' },
} satisfies Options;
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 64 });
  check(res, { ok: (r) => r.ok });
}
`;

/** The good script with one substitution; the substitution must apply. */
function variant(from: string, to: string): string {
  assert.ok(GOOD.includes(from), from);
  return GOOD.replace(from, to);
}

test('mistakes fail to type-check with the expected error: misspelt executor, threshold method, llm.chat param type', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-types-'));
  const cases: Record<string, { source: string; code: RegExp; mentions: RegExp }> = {
    'good.ts': { source: GOOD, code: /^$/, mentions: /^$/ },
    'executor.ts': { source: variant("executor: 'constant-vus'", "executor: 'constant-vu'"), code: /error TS(2820|2322)/, mentions: /"constant-vu"/ },
    'threshold-pp.ts': { source: variant("'p(95)<500'", "'pp(95)<500'"), code: /error TS2322/, mentions: /"pp\(95\)<500"/ },
    'threshold-average.ts': { source: variant("'avg < 300'", "'average<3'"), code: /error TS2322/, mentions: /"average<3"/ },
    'threshold-unit.ts': { source: variant("'p(95)<500'", "'p(95)<1.5s'"), code: /error TS2322/, mentions: /"p\(95\)<1\.5s"/ },
    'threshold-type.ts': { source: variant("llm_req_failed: 'rate<0.01'", "llm_req_failed: 'p(95)<0.01'"), code: /error TS2322/, mentions: /RateThreshold/ },
    'chat-param.ts': { source: variant('max_tokens: 64', "max_tokens: '64'"), code: /error TS2322/, mentions: /'string' is not assignable to type 'number'/ },
    'chat-messages.ts': { source: variant("messages: [{ role: 'user', content: 'hi' }]", "messages: 'hi'"), code: /error TS2322/, mentions: /ChatMessage\[\]/ },
  };
  for (const [name, c] of Object.entries(cases)) writeFileSync(path.join(dir, name), c.source);
  const r = checkFiles(Object.keys(cases).map((n) => path.join(dir, n)), SCRIPT_OPTIONS, dir);
  for (const [name, c] of Object.entries(cases)) {
    const errs = r.errors.filter((e) => e.startsWith(path.join(dir, name) + '('));
    if (name === 'good.ts') {
      assert.deepEqual(errs, [], 'the unmodified script type-checks');
      continue;
    }
    assert.equal(errs.length, 1, `${name}: exactly one error, got:\n${errs.join('\n')}`);
    assert.match(errs[0]!, c.code, name);
    assert.match(errs[0]!, c.mentions, name);
  }
});

test('a project with llmperf in node_modules resolves the types through package.json exports (bundler, node16, node10)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-pkg-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'llmperf'), 'dir');
  const script = path.join(dir, 'script.ts');
  writeFileSync(
    script,
    `import llm from 'llmperf/llm';
import { check, run } from 'llmperf';
import { Trend } from 'llmperf/metrics';
import { openqa } from 'llmperf/data';
import exec from 'llmperf/execution';
import type { Options } from 'llmperf/options';
import type { DatasetPlugin } from 'llmperf/dataset-plugin';
export const options = { vus: 2, thresholds: { llm_ttft: ['p(95)<500'] } } satisfies Options;
const t = new Trend('x');
const prompts = openqa('./q.jsonl');
export const plugin: DatasetPlugin = { load: () => [] };
export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: prompts.next() }] });
  check(r, { ok: (x) => x.ok });
  t.add(r.text.length, { vu: exec.vu.idInTest });
}
export const notCalled = run;
// deliberate: proves the types are really resolved (an unresolved module would be any or an error elsewhere)
llm.chat({ messages: 1 });
`,
  );
  for (const [module, moduleResolution] of [['ESNext', 'Bundler'], ['NodeNext', 'NodeNext'], ['CommonJS', 'Node10']] as const) {
    const r = checkFiles([script], { target: 'ES2022', lib: ['ES2022'], strict: true, types: [], module, moduleResolution }, dir);
    assert.equal(r.errors.length, 1, `${moduleResolution}:\n${r.errors.join('\n')}`);
    assert.match(r.errors[0]!, /script\.ts\(19,\d+\): error TS2322: Type 'number' is not assignable to type 'ChatMessage\[\]'/, moduleResolution);
  }
});
