// The failure taxonomy: every injected fault ends as exactly one request with its stable code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tempFiles } from '../helpers.ts';

// fault (as the mock knows it) -> the code the client must record (null = success)
const MATRIX: Array<[string, string | null]> = [
  ['none', null],
  ['http_429', 'HTTP_429'],
  ['http_500', 'HTTP_5XX'],
  ['http_503', 'HTTP_5XX'],
  ['reset', 'CONN_RESET'],
  ['stall;ms=1500', 'READ_TIMEOUT'],
  ['bad_sse', 'BAD_SSE'],
  ['bad_json', 'BAD_JSON'],
  // the mock ends the stream cleanly after finish_reason and usage, without [DONE]: a success (#18)
  ['no_done', null],
  ['slow_headers;ms=1500', 'TOTAL_TIMEOUT'],
  ['long_output', null],
  ['jitter', null],
  ['refused', 'CONN_REFUSED'],
  ['http_404', 'HTTP_4XX'],
];

test('fault matrix: every injected fault at once, exact counts per code, successes + failures == N', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 2, outputTokens: 12 });
  const perFault = 16;
  const n = MATRIX.length * perFault;
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
const MATRIX = ${JSON.stringify(MATRIX.map((m) => m[0]))};
export const options = {
  scenarios: { f: { executor: 'shared-iterations', vus: 14, iterations: ${n} } },
  llm: { readTimeout: '600ms' },
  // sub-metrics by error_code (a threshold makes the summary carry them)
  thresholds: Object.fromEntries(${JSON.stringify([...new Set(MATRIX.map((m) => m[1]).filter(Boolean))])}.map((c) => ['llm_reqs{error_code:' + c + '}', ['count>=0']])),
};
let i = 0;
export default async function () {
  const fault = MATRIX[(__ITER * 14 + __VU - 1) % MATRIX.length];
  const params = { messages: [{ role: 'user', content: 'fault ' + fault }], max_tokens: 12 };
  if (fault === 'refused') return void (await llm.chat(params, { url: 'http://127.0.0.1:1/v1', tags: { fault } }));
  if (fault === 'http_404') return void (await llm.chat(params, { url: '${mock.url}/nope', tags: { fault } }));
  const headers = fault === 'none' ? {} : { 'x-mock-fault': fault };
  await llm.chat(params, { headers, tags: { fault }, timeout: fault.startsWith('slow_headers') ? '400ms' : undefined });
  i++;
}
`,
    });
    const recs: RequestRecord[] = [];
    const outDir = path.join(dir, 'out');
    const out = await run({ script: path.join(dir, 's.ts'), overrides: { url: mock.url }, log: () => {}, listeners: [{ onRecord: (r) => recs.push(r) }], outDir });
    const l = out.summary.llm;
    assert.equal(l.requests, n);
    assert.equal(l.succeeded + l.failed, n);
    assert.equal(recs.length, n);
    // expected counts per code from the fault each request carried
    const want: Record<string, number> = {};
    const byFault = new Map<string, RequestRecord[]>();
    for (const r of recs) byFault.set(r.tags.fault!, [...(byFault.get(r.tags.fault!) ?? []), r]);
    for (const [fault, code] of MATRIX) {
      const rs = byFault.get(fault) ?? [];
      assert.ok(rs.length > 0, `no request carried ${fault}`);
      for (const r of rs) assert.equal(r.errorCode, code, `${fault}: got ${r.errorCode} (${r.errorMessage})`);
      if (code) want[code] = (want[code] ?? 0) + rs.length;
    }
    assert.deepEqual(Object.fromEntries(Object.entries(l.errors).sort()), Object.fromEntries(Object.entries(want).sort()));
    assert.equal(l.failed, Object.values(want).reduce((a, b) => a + b, 0));
    // the error_code tag on the metrics carries the same counts
    for (const [code, count] of Object.entries(want)) assert.equal(out.summary.metrics[`llm_reqs{error_code:${code}}`]?.values.count, count, code);
    // the same counts in summary.json and in the SQLite store
    const saved = JSON.parse(readFileSync(path.join(outDir, 'summary.json'), 'utf8')) as { llm: { errors: Record<string, number>; requests: number } };
    assert.deepEqual(saved.llm.errors, l.errors);
    const db = new Database(path.join(outDir, 'requests.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT error_code AS code, count(*) AS n FROM requests WHERE ok = 0 GROUP BY error_code').all() as Array<{ code: string; n: number }>;
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.code, r.n]).sort()), Object.fromEntries(Object.entries(want).sort()));
      assert.equal((db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n, n);
    } finally {
      db.close();
    }
    // failed requests carry a message that says what happened
    const refused = byFault.get('refused')![0]!;
    assert.match(refused.errorMessage!, /connection refused by http:\/\/127\.0\.0\.1:1/);
    const h429 = byFault.get('http_429')![0]!;
    assert.equal(h429.status, 429);
    // long output beyond max_tokens is recorded as such, not an error
    const long = byFault.get('long_output')![0]!;
    assert.ok(long.outputTokens! > 12, `long_output tokens ${long.outputTokens}`);
  } finally {
    await mock.close();
  }
});
