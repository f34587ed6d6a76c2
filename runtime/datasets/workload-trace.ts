/**
 * evalscope's workload_trace: recorded production traffic, replayed request by request at its
 * recorded times (on the replay executor, runtime/executors/replay.ts, which reads the same file).
 *
 * JSONL, one request a line:
 *   {"body": {...} | "<JSON string>", "timestamp": 1700000000.5 | "2026-01-01T10:00:00Z",
 *    "headers"?: {...}, "request_id"?: "...", "completion_tokens"?: n}
 * body is the whole request body, sent as it is (its own model included); timestamp is seconds (a
 * number, a numeric string, or ISO 8601; only the differences matter); records are replayed in
 * timestamp order (a stable sort: equal times keep file order). Other keys, and body keys starting
 * with `__evalscope_`, are errors, as in evalscope.
 *
 * Options (evalscope's --dataset-args): modelMapping (model -> model, wins) and modelOverride rewrite
 * each body's model; matchOutputLength sets max_tokens to the record's completion_tokens and
 * ignore_eos: true (not for bodies that constrain decoding: response_format json_object/json_schema,
 * or tools with a forced tool_choice, where only max_tokens is set).
 */
import { ConfigError } from '../errors.ts';
import type { DatasetItem, DatasetOptions } from './types.ts';
import { asObject, invalid, parseJsonLine, readLines } from './read.ts';

export interface WorkloadRecord {
  body: Record<string, unknown>;
  /** seconds */
  timestamp: number;
  headers?: Record<string, string>;
  requestId?: string;
  completionTokens?: number;
  line: number;
}

const KEYS = new Set(['body', 'timestamp', 'headers', 'request_id', 'completion_tokens']);

/** Seconds from a number, a numeric string or an ISO 8601 time (UTC when it has no zone). */
function seconds(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s !== '' && Number.isFinite(Number(s))) return Number(s);
    const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`;
    const t = Date.parse(zoned);
    if (Number.isFinite(t)) return t / 1000;
  }
  throw invalid(where, `"timestamp" must be seconds (a number) or an ISO 8601 time, got ${JSON.stringify(v)}`);
}

/** Is this parsed JSON line a workload-trace record (it has a body) rather than a Mooncake one? */
export function isWorkloadRecord(obj: Record<string, unknown>): boolean {
  return 'body' in obj;
}

/** Validates one parsed line. */
export function workloadRecord(obj: Record<string, unknown>, where: string, line: number): WorkloadRecord {
  for (const k of Object.keys(obj)) if (!KEYS.has(k)) throw invalid(where, `unknown key "${k}" (a workload_trace record has body, timestamp, headers, request_id, completion_tokens)`);
  let body = obj.body;
  if (typeof body === 'string') body = parseJsonLine(body, `${where} (body)`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid(where, '"body" must be an object (or a JSON string of one): the whole request body');
  const reserved = Object.keys(body).filter((k) => k.startsWith('__evalscope_'));
  if (reserved.length) throw invalid(where, `the body has reserved key(s) ${reserved.join(', ')}: remove them from the trace`);
  const rec: WorkloadRecord = { body: body as Record<string, unknown>, timestamp: seconds(obj.timestamp, where), line };
  if (obj.headers !== undefined) {
    if (!obj.headers || typeof obj.headers !== 'object' || Array.isArray(obj.headers) || !Object.values(obj.headers).every((v) => typeof v === 'string')) throw invalid(where, '"headers" must be an object of strings');
    rec.headers = obj.headers as Record<string, string>;
  }
  if (obj.request_id !== undefined && obj.request_id !== null) rec.requestId = String(obj.request_id);
  if (obj.completion_tokens !== undefined && obj.completion_tokens !== null) {
    const n = obj.completion_tokens;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw invalid(where, `"completion_tokens" must be an integer > 0, got ${JSON.stringify(n)}`);
    rec.completionTokens = n;
  }
  return rec;
}

/** The records of a workload trace, in replay order (stable sort by timestamp). */
export async function readWorkloadTrace(path: string): Promise<WorkloadRecord[]> {
  const records: WorkloadRecord[] = [];
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    records.push(workloadRecord(asObject(parseJsonLine(text, where), where), where, line));
  }
  if (!records.length) throw new ConfigError(`${path}: the workload trace has no records`, 'EMPTY_DATASET');
  return records.sort((a, b) => a.timestamp - b.timestamp);
}

/** Hop-by-hop headers a trace must not forward. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'upgrade']);

function constrained(body: Record<string, unknown>): boolean {
  const rf = body.response_format as { type?: unknown } | undefined;
  if (rf && typeof rf === 'object' && (rf.type === 'json_object' || rf.type === 'json_schema')) return true;
  const tc = body.tool_choice;
  return Array.isArray(body.tools) && body.tools.length > 0 && tc !== undefined && tc !== null && tc !== 'none' && tc !== 'auto';
}

export async function workloadTraceItems(path: string, opts: DatasetOptions): Promise<DatasetItem[]> {
  if (opts.speed !== undefined && !(opts.speed > 0)) throw new ConfigError(`workload_trace: speed must be > 0, got ${opts.speed}`, 'INVALID_DATASET_OPTION');
  const records = await readWorkloadTrace(path);
  return records.map((r) => {
    const body = { ...r.body };
    const original = body.model;
    if (opts.modelMapping && typeof original === 'string' && Object.hasOwn(opts.modelMapping, original)) body.model = opts.modelMapping[original];
    else if (opts.modelOverride !== undefined) body.model = opts.modelOverride;
    if (opts.matchOutputLength && r.completionTokens !== undefined) {
      body.max_tokens = r.completionTokens;
      if (!constrained(body)) body.ignore_eos = true;
    }
    const item: DatasetItem = { body, meta: { timestamp: r.timestamp, line: r.line } };
    if (r.requestId !== undefined) item.meta!.requestId = r.requestId;
    if (r.completionTokens !== undefined) item.outputTokens = r.completionTokens;
    if (r.headers) {
      const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
      if (Object.keys(headers).length) item.headers = headers;
    }
    return item;
  });
}
