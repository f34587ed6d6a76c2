// The requests table of requests.sqlite is declared once (runtime/results/columns.ts): the schema,
// the INSERT's column list and the writer thread's row values all come from that table, and a
// record with every field set comes back from the store column by column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import {
  compileRow, insertSql, itlJson, REQUEST_COLUMN_NAMES, REQUEST_COLUMNS, requestsTableSql, type Column,
} from '../../runtime/results/columns.ts';
import { RequestStore, STORE_SCHEMA_VERSION } from '../../runtime/results/store.ts';
import { withDb } from './helpers.ts';

/** Every field set, none null, each value distinct from the others. */
const FULL = {
  id: 7,
  scenario: 'chat',
  vu: 3,
  iter: 11,
  api: 'dashscope',
  model: 'qwen-max',
  url: 'http://127.0.0.1:9/v1/chat/completions',
  tags: { scenario: 'chat', name: 'summarise', 'a "quoted" key': 'ü' },
  plannedStart: 1000.25,
  start: 1000.75,
  startWall: 1767225600123.5,
  startMono: 98765.125,
  ttfb: 12.5,
  ttft: 40.125,
  e2e: 240.5,
  tpot: 10.0625,
  itl: [10.01, 0.0004, 12.3456, 2.5],
  chunks: 4,
  inputTokens: 123,
  outputTokens: 21,
  inputTokenSource: 'tokenizer',
  outputTokenSource: 'usage',
  status: 200,
  ok: true,
  errorCode: 'HTTP_5XX',
  errorMessage: 'a message, with "quotes"',
  finishReason: 'length',
  bytesSent: 456,
  bytesReceived: 7890,
  requestBody: '{"messages":[{"role":"user","content":"hi"}]}',
  responseText: 'Hello — there',
  good: true,
  responseId: 'chatcmpl-42',
  batchSize: 8,
  cachedTokens: 64,
  ttftAnswer: 90.25,
  reasoningTokens: 15,
  answerTokens: 6,
  reasoningTokenSource: 'estimated',
  reasoningText: 'Let me think — first',
  streamCheck: 'buffered',
  contentType: 'text/plain',
  endedWithoutDone: true,
  choices: 2,
  choiceTexts: ['Hello — there', 'Hi'],
} satisfies RequestRecord;

/** FULL as a requests row, written out by hand: what each column must read back as. */
const FULL_ROW: Record<string, unknown> = {
  run_id: 'run-1',
  id: 7,
  scenario: 'chat',
  vu: 3,
  iteration: 11,
  api: 'dashscope',
  model: 'qwen-max',
  url: 'http://127.0.0.1:9/v1/chat/completions',
  planned_start_ms: 1000.25,
  start_ms: 1000.75,
  start_wall_ms: 1767225600123.5,
  start_mono_ms: 98765.125,
  ttfb_ms: 12.5,
  ttft_ms: 40.125,
  e2e_ms: 240.5,
  tpot_ms: 10.0625,
  itl_ms: '[10.010,0.000,12.346,2.500]',
  chunks: 4,
  input_tokens: 123,
  output_tokens: 21,
  input_token_source: 'tokenizer',
  output_token_source: 'usage',
  status: 200,
  ok: 1,
  error_code: 'HTTP_5XX',
  error_message: 'a message, with "quotes"',
  finish_reason: 'length',
  bytes_sent: 456,
  bytes_received: 7890,
  good: 1,
  tags: JSON.stringify(FULL.tags),
  request_body: '{"messages":[{"role":"user","content":"hi"}]}',
  response_text: 'Hello — there',
  response_id: 'chatcmpl-42',
  batch_size: 8,
  cached_tokens: 64,
  ttft_answer_ms: 90.25,
  reasoning_tokens: 15,
  answer_tokens: 6,
  reasoning_token_source: 'estimated',
  reasoning_text: 'Let me think — first',
  stream_check: 'buffered',
  content_type: 'text/plain',
  ended_without_done: 1,
  choices: 2,
  choice_texts: '["Hello — there","Hi"]',
};

/** What may be null is null; what may not be stays set. */
const SPARSE: RequestRecord = {
  ...FULL,
  id: 8,
  api: 'openai',
  plannedStart: null,
  ttfb: null,
  ttft: null,
  e2e: null,
  tpot: null,
  itl: [],
  inputTokens: null,
  outputTokens: null,
  inputTokenSource: null,
  outputTokenSource: null,
  status: 0,
  ok: false,
  errorCode: null,
  errorMessage: null,
  finishReason: null,
  requestBody: null,
  responseText: null,
  good: null,
  responseId: null,
  batchSize: null,
  cachedTokens: null,
  ttftAnswer: null,
  reasoningTokens: null,
  answerTokens: null,
  reasoningTokenSource: null,
  reasoningText: null,
  streamCheck: null,
  contentType: null,
  endedWithoutDone: false,
  choiceTexts: null,
};

// @ts-expect-error a 1/0 column must come from a boolean field
const notBoolean: Column = { name: 'x', type: 'INTEGER', field: 'scenario', as: 'int' };
// @ts-expect-error a field stored as is must be a string, a number or null (tags is an object)
const notScalar: Column = { name: 'x', type: 'TEXT', field: 'tags' };
void [notBoolean, notScalar];

async function storeRecords(records: RequestRecord[]): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'llmperf-columns-')), 'requests.sqlite');
  const warnings: string[] = [];
  const store = new RequestStore(file, 'run-1', (l) => warnings.push(l));
  store.open({ name: 'n', script: 's.ts', startedAt: new Date().toISOString(), targetUrl: 'http://127.0.0.1:9/v1', options: {}, llmperfVersion: '0' });
  for (const r of records) store.onRecord(r);
  await store.close({ exitCode: 0, stopReason: 'completed', endedAt: new Date().toISOString() });
  assert.deepEqual(warnings, []);
  return file;
}

test('a RequestRecord with every field set round-trips through requests.sqlite, column by column', async () => {
  const file = await storeRecords([FULL, SPARSE]);
  withDb(file, (db) => {
    const rows = db.prepare('SELECT * FROM requests ORDER BY id').all() as Array<Record<string, unknown>>;
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0]!), [...REQUEST_COLUMN_NAMES]);
    for (const name of REQUEST_COLUMN_NAMES) assert.deepEqual(rows[0]![name], FULL_ROW[name], `column ${name}`);
    assert.deepEqual(rows[0], FULL_ROW);
    assert.deepEqual(JSON.parse(String(rows[0]!.tags)), FULL.tags);
    assert.deepEqual(JSON.parse(String(rows[0]!.itl_ms)), FULL.itl.map((x) => Math.round(x * 1000) / 1000));
    assert.deepEqual(rows[1], {
      ...FULL_ROW, id: 8, api: 'openai', planned_start_ms: null, ttfb_ms: null, ttft_ms: null, e2e_ms: null, tpot_ms: null, itl_ms: '[]',
      input_tokens: null, output_tokens: null, input_token_source: null, output_token_source: null, status: 0, ok: 0, error_code: null,
      error_message: null, finish_reason: null, request_body: null, response_text: null, good: null, response_id: null, batch_size: null, cached_tokens: null,
      ttft_answer_ms: null, reasoning_tokens: null, answer_tokens: null, reasoning_token_source: null, reasoning_text: null, stream_check: null,
      content_type: null, ended_without_done: 0, choice_texts: null,
    });
    assert.equal(db.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION);
  });
});

test('the schema, the column list and the row values come from the one column table', async () => {
  // Every field of the record has its column.
  const fields = REQUEST_COLUMNS.flatMap((c) => (c.field === undefined ? [] : [c.field]));
  assert.deepEqual([...fields].sort(), Object.keys(FULL).sort());

  // The store's requests table is the table: names, types, NOT NULL and the key, in order.
  const file = await storeRecords([FULL]);
  withDb(file, (db) => {
    const info = db.prepare('PRAGMA table_info(requests)').all() as Array<{ name: string; type: string; notnull: number; pk: number }>;
    assert.deepEqual(
      info.map((c) => [c.name, c.type, c.notnull === 1, c.pk > 0]),
      REQUEST_COLUMNS.map((c) => [c.name, c.type, c.notNull === true, c.key === true]),
    );
  });
  assert.equal(insertSql(), `INSERT INTO requests (${REQUEST_COLUMN_NAMES.join(', ')}) VALUES (${REQUEST_COLUMN_NAMES.map(() => '?').join(', ')})`);
  assert.deepEqual(compileRow('run-1')(FULL), REQUEST_COLUMN_NAMES.map((n) => FULL_ROW[n]));

  // One more entry in a table is one more column in the schema, the INSERT and the row.
  const cols: Column[] = [...REQUEST_COLUMNS, { name: 'finish_again', type: 'TEXT', notNull: true, field: 'finishReason' }];
  const db = new Database(':memory:');
  try {
    db.exec(requestsTableSql(cols));
    db.prepare(insertSql(cols)).run(compileRow('run-1', cols)(FULL));
    const row = db.prepare('SELECT * FROM requests').get() as Record<string, unknown>;
    assert.deepEqual(row, { ...FULL_ROW, finish_again: 'length' });
    const info = db.prepare('PRAGMA table_info(requests)').all() as Array<{ name: string; notnull: number }>;
    assert.deepEqual(info.at(-1), { ...info.at(-1), name: 'finish_again', notnull: 1 });
  } finally {
    db.close();
  }
});

test('itlJson writes each gap rounded to the µs, as JSON numbers', () => {
  const gaps = [0, 0.0004, 0.0005, 1, 10.01, 10.1, 99.999, 123456.789, 1e-9, -2.5, 3e6];
  assert.deepEqual(JSON.parse(itlJson(gaps)), gaps.map((g) => Math.round(g * 1000) / 1000));
  assert.equal(itlJson([10.01, 2]), '[10.010,2.000]');
  assert.equal(itlJson([]), '[]');
});
