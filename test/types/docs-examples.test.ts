// Every complete script shown in the module docs is a file in scripts-examples/ (so it is type-checked
// by typecheck.test.ts and run by the examples tests): the docs cannot show code that does not compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers.ts';

const DOCS = ['llm', 'metrics', 'data', 'execution', 'options', 'thresholds', 'outputs', 'programmatic'];

test('complete scripts in docs/*.md are verbatim parts of files in scripts-examples/', () => {
  const dir = path.join(ROOT, 'scripts-examples');
  const examples = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
  let checked = 0;
  for (const doc of DOCS) {
    const md = readFileSync(path.join(ROOT, 'docs', `${doc}.md`), 'utf8');
    for (const m of md.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const block = m[1]!;
      const fragment = !/^import /m.test(block) || !/^export (default|async function|function|const options)/m.test(block) || block.includes('{ ... }');
      if (fragment) continue;
      checked++;
      assert.ok(examples.some((e) => e.includes(block.trimEnd())), `docs/${doc}.md shows a script that is not in scripts-examples/:\n${block.slice(0, 300)}`);
    }
  }
  assert.ok(checked >= DOCS.length, `found ${checked} complete scripts`);
});
