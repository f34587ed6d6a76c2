// API keys and Authorization headers never reach logs, --debug output, the store, run.json, summary.json or the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { startMockServer } from '../../runtime/mock/index.ts';
import { runCli, tempFiles } from '../helpers.ts';

test('secrets given by flag, header, env and script options appear nowhere', async () => {
  const mock = await startMockServer({ ttftMs: 2, itlMs: 1, outputTokens: 4 });
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
export const options = { vus: 1, iterations: 3, llm: { headers: { 'x-api-key': 'sk-OPTSECRET-3' } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 }, { headers: { authorization: 'Bearer sk-CALLSECRET-4' } });
}
`,
    });
    const r = await runCli(
      ['run', path.join(dir, 's.ts'), '--url', mock.url, '--api-key', 'sk-FLAGSECRET-1', '--header', 'Authorization=Bearer sk-HDRSECRET-2', '--debug', '--out-dir', path.join(dir, 'out'), '-e', 'MY_TOKEN=sk-ENVSECRET-5'],
      { cwd: dir, env: { LLMPERF_API_KEY: 'sk-ENVKEY-6' } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /DEBUG > POST/, 'the debug lines were printed');
    assert.match(r.stderr, /\[REDACTED\]/);
    const texts: Array<[string, string]> = [['stdout', r.stdout], ['stderr', r.stderr]];
    for (const f of readdirSync(path.join(dir, 'out'))) texts.push([f, readFileSync(path.join(dir, 'out', f)).toString('latin1')]);
    for (const [name, text] of texts) {
      assert.doesNotMatch(text, /sk-[A-Z]+SECRET|sk-ENVKEY/, `a secret leaked into ${name}`);
    }
    assert.ok(texts.some(([n]) => n === 'requests.sqlite') && texts.some(([n]) => n === 'run.json') && texts.some(([n]) => n === 'report.html'));
  } finally {
    await mock.close();
  }
});
