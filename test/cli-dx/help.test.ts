// Every command's --help shows examples (k6's habit: the fastest way to learn a flag is an example).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers.ts';

test('every registered command has examples in its --help', async () => {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0, top.stderr);
  const commands = [...top.stdout.matchAll(/^ {2}llmperf ([a-z0-9-]+)/gm)].map((m) => m[1]!);
  for (const c of ['run', 'inspect', 'new', 'mock']) assert.ok(commands.includes(c), `${c} is registered: ${commands.join(', ')}`);
  const missing: string[] = [];
  await Promise.all(
    commands.map(async (c) => {
      const r = await runCli([c, '--help']);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      const examples = r.stdout.split(/^Examples:$/m)[1];
      if (!examples || !new RegExp(`^ {2}llmperf ${c}\\b`, 'm').test(examples)) missing.push(c);
    }),
  );
  assert.deepEqual(missing, [], 'commands whose --help has no "Examples:" section with an example of the command');
});
