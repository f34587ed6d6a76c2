// runtime/llm/agent.ts loads undici's Agent and its request() from their own modules (the whole
// package costs ~150 ms of start-up per thread): they must stay undici's own, whatever undici
// version is installed, and work without the package's index (which the I/O threads never load).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockServer } from '../../runtime/mock/server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

test("the Agent llmperf loads is undici's own class, and agentRequest sends a request without undici's index", async () => {
  const mock = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 3 });
  try {
    // a process of its own: nothing there has loaded undici's index before agent.ts is used
    const code = `
      import { createRequire } from 'node:module';
      import { Agent, agentRequest } from ${JSON.stringify(path.join(here, '../../runtime/llm/agent.ts'))};
      const req = createRequire(import.meta.url);
      const indexLoaded = () => Object.keys(req.cache).some((k) => k.endsWith('/undici/index.js'));
      const before = indexLoaded();
      const agent = new Agent();
      const u = new URL(${JSON.stringify(mock.url + '/chat/completions')});
      const res = await agentRequest(agent, { origin: u.origin, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }) });
      const body = JSON.parse(await res.body.text());
      await agent.close();
      const after = indexLoaded();
      const same = req('undici').Agent === Agent;
      console.log(JSON.stringify({ before, after, status: res.statusCode, text: body.choices[0].message.content, same }));
    `;
    // asynchronously: the mock answers from this process
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: path.join(here, '../..'), encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: boolean; after: boolean; status: number; text: string; same: boolean };
    assert.equal(out.before, false);
    assert.equal(out.after, false, "agent.ts must not load undici's index");
    assert.equal(out.status, 200);
    assert.ok(out.text.length > 0);
    assert.equal(out.same, true, "runtime/llm/agent.ts's Agent is not undici's exported Agent: its internal path changed");
  } finally {
    await mock.close();
  }
});
