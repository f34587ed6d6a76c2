// Known sandbox escape routes must fail without harming the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { tempFiles } from '../helpers.ts';

test('escape attempts through host-provided functions, errors and results reach nothing of the host', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
import { check, sleep } from 'llmperf';
import { Counter } from 'llmperf/metrics';
const escaped = new Counter('escaped');
const tried = new Counter('tried');
function probe(name: string, f: () => unknown) {
  tried.add(1);
  let v: unknown;
  try { v = f(); } catch { v = undefined; }
  if (v !== undefined && v !== null && v !== 'undefined') { console.log('ESCAPE ' + name + ' ' + String(v)); escaped.add(1); }
}
export const options = { vus: 1, iterations: 1 };
export default async function () {
  const F = (x: unknown) => (x as { constructor: { constructor: (s: string) => () => unknown } }).constructor.constructor;
  probe('check.constructor', () => (check as unknown as { constructor: (s: string) => () => unknown }).constructor('return typeof process === "undefined" ? undefined : "process"')());
  probe('llm.chat via Function', () => F(llm.chat)('return typeof require === "undefined" ? undefined : "require"')());
  probe('sleep promise', () => F(sleep(0))('return typeof process === "undefined" ? undefined : "process"')());
  const res = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  probe('result object', () => F(res)('return typeof process === "undefined" ? undefined : "process"')());
  (Object.getPrototypeOf(res) as Record<string, unknown>).pwned = 'yes';
  (Object.prototype as Record<string, unknown>).polluted = 'yes';
  (Array.prototype as unknown as Record<string, unknown>).polluted = 'yes';
  try { await llm.chat(null as never); } catch (e) { probe('error object', () => F(e)('return typeof process === "undefined" ? undefined : "process"')()); }
  probe('globalThis.process', () => (globalThis as Record<string, unknown>).process);
  probe('import.meta-ish', () => (globalThis as Record<string, unknown>).__llmperf_host_llm);
}
`,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l) });
  assert.equal(out.summary.metrics.tried?.values.count, 7);
  assert.equal(out.summary.metrics.escaped?.values.count ?? 0, 0, lines.join('\n'));
  // prototype pollution inside the VU did not reach the host
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).pwned, undefined);
});
