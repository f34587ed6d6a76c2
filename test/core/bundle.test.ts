// Bundling: user source positions in errors; forbidden imports refused with a clear reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { bundleScript } from '../../runtime/bundle/bundle.ts';
import { PositionMapper } from '../../runtime/bundle/sourcemap.ts';
import { ScriptError } from '../../runtime/errors.ts';
import { run } from '../../runtime/api.ts';
import { tempFiles, runCli } from '../helpers.ts';

test('a syntax error is reported at the user file:line:col', async () => {
  const dir = tempFiles({ 'bad.ts': `import llm from 'llmperf/llm';\n\nexport default async function () {\n  const x = ;\n}\n` });
  await assert.rejects(bundleScript({ path: path.join(dir, 'bad.ts') }), (e: unknown) => {
    assert.ok(e instanceof ScriptError);
    assert.match(e.message, /bad\.ts:4:13: Unexpected ";"/);
    return true;
  });
});

test('local imports and JSON are bundled; positions map back to the imported file', async () => {
  const dir = tempFiles({
    'main.ts': `import { boom } from './lib.ts';\nimport cfg from './cfg.json';\nexport default function () { boom(cfg.n); }\n`,
    'lib.ts': `export function boom(n: number): void {\n  // a comment\n  throw new Error('boom ' + n);\n}\n`,
    'cfg.json': `{ "n": 7 }`,
  });
  const b = await bundleScript({ path: path.join(dir, 'main.ts') });
  assert.match(b.code, /boom/);
  const mapper = new PositionMapper(b);
  // find the throw in the bundle and map it back
  const lines = b.code.split('\n');
  const li = lines.findIndex((l) => l.includes('throw new Error'));
  const col = lines[li]!.indexOf('throw') + 1;
  const pos = mapper.map(li + 1, col);
  assert.ok(pos && pos.endsWith('lib.ts:3:3'), `mapped to ${pos}`);
});

for (const mod of ['fs', 'node:child_process', 'net']) {
  test(`import of Node builtin "${mod}" is refused at bundle time, saying why`, async () => {
    const dir = tempFiles({ 's.ts': `import x from '${mod}';\nexport default function () { void x; }\n` });
    await assert.rejects(bundleScript({ path: path.join(dir, 's.ts') }), (e: unknown) => {
      assert.ok(e instanceof ScriptError);
      assert.match(e.message, new RegExp(`s\\.ts:1:15: cannot import "${mod}"`));
      assert.match(e.message, /sandbox without file system, process or network access/);
      return true;
    });
  });
}

test('an unknown llmperf/* module is refused with the list of modules', async () => {
  const dir = tempFiles({ 's.ts': `import x from 'llmperf/nope';\nexport default function () { void x; }\n` });
  await assert.rejects(bundleScript({ path: path.join(dir, 's.ts') }), /"llmperf\/nope" is not an llmperf module; available: llmperf, llmperf\/llm/);
});

test('an exception thrown in an iteration is reported once per position with the user position, and counted', async () => {
  const dir = tempFiles({
    't.ts': `export const options = { vus: 2, iterations: 6 };\nexport default function () {\n  if (__ITER >= 0) throw new Error('kaput');\n}\n`,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 't.ts'), log: (l) => lines.push(l), quietMock: true } as Parameters<typeof run>[0]);
  const errs = lines.filter((l) => l.includes('kaput'));
  assert.equal(errs.length, 1, lines.join('\n'));
  assert.match(errs[0]!, /t\.ts:3:26/);
  assert.equal(out.summary.scriptErrors.length, 1);
  assert.equal(out.summary.scriptErrors[0]!.count, 6);
  assert.equal(out.summary.iterations.completed, 6);
});

test('CLI: syntax error exits 107 with the position; missing script exits 104', async () => {
  const dir = tempFiles({ 'bad.ts': `export default function () {\n  let = 5;\n}\n` });
  const r = await runCli(['run', path.join(dir, 'bad.ts')]);
  assert.equal(r.code, 107, r.stderr);
  assert.match(r.stderr, /llmperf-test-[^/]+\/bad\.ts:2:3: "let" is a reserved word/);
  const m = await runCli(['run', path.join(dir, 'missing.ts')]);
  assert.equal(m.code, 104);
  assert.match(m.stderr, /script not found: .*missing\.ts/);
});
