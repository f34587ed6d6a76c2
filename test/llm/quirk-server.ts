/**
 * A configurable "quirk server" for the conformance suite: a small node:http server that answers
 * OpenAI chat completions the way real servers, proxies and frameworks do, each way named and set
 * per case. A request to `/<case>/v1/chat/completions` is answered by the case registered under
 * that name, so one server serves every case of a suite (`url(name)` is the base URL to give llmperf).
 *
 * What a case can set (all optional; the default is a well-behaved vLLM-like stream):
 *  - the answer: `events` output events of `wordsPerEvent` words, after `ttftMs`, every `itlMs`;
 *    `reasoningEvents` reasoning_content events first; `choices` (n) interleaved choice streams;
 *  - the stream's dress: `contentType` (null: none), `done` ([DONE] or not), `finishReason`,
 *    `usage` ('final' chunk with empty choices, 'cumulative' on every chunk, 'none'),
 *    `reasoningUsage` (completion_tokens_details.reasoning_tokens), `lineEnd` (LF, CRLF),
 *    `comments` (keep-alive comment lines), `dataNoSpace` (`data:x`), `bigEventBytes`;
 *  - how it is written: `json` (one body, even to a stream request), `oneWrite` (the whole stream
 *    at the end), `bufferBytes` (nginx's proxy_buffering: held until that many bytes are pending),
 *    `splitEvery` (each write cut into pieces of that many bytes, a few ms apart: mid-line and
 *    mid-UTF-8 cuts), `encoding` (gzip, deflate, br, or an unsupported one), `errorAfter` (an
 *    error event after that many events), `resetAfter` (the socket destroyed after that many),
 *    `stallMs` (a pause after the first event), `noNewline` (a body of that many bytes without a
 *    line end), `status` and `errorBody` (an HTTP error).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface QuirkCase {
  events?: number;
  wordsPerEvent?: number;
  ttftMs?: number;
  itlMs?: number;
  reasoningEvents?: number;
  choices?: number;
  contentType?: string | null;
  done?: boolean;
  finishReason?: string | null;
  usage?: 'final' | 'cumulative' | 'none';
  reasoningUsage?: boolean;
  lineEnd?: '\n' | '\r\n';
  comments?: boolean;
  dataNoSpace?: boolean;
  bigEventBytes?: number;
  json?: boolean;
  oneWrite?: boolean;
  bufferBytes?: number;
  splitEvery?: number;
  encoding?: 'gzip' | 'deflate' | 'br' | 'zstd';
  errorAfter?: number;
  resetAfter?: number;
  stallMs?: number;
  noNewline?: number;
  status?: number;
  errorBody?: string;
}

export interface QuirkServer {
  /** the base URL of a case, e.g. http://127.0.0.1:1234/gzip/v1 */
  url(name: string): string;
  set(name: string, c: QuirkCase): void;
  /** requests received per case */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/** The words of choice `c`'s event `i` (non-ASCII on purpose: cuts fall inside characters). */
export function word(c: number, i: number): string {
  return `${c === 0 ? 'w' : `c${c}w`}${i}é `;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A timed list of writes: `at` ms after the request arrived. */
type Plan = Array<{ at: number; data: string }>;

function chunk(id: string, choices: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'quirk', choices, ...extra });
}

function plan(c: QuirkCase): { plan: Plan; answer: string[]; reasoning: string; tokens: number } {
  const n = c.events ?? 8;
  const k = c.wordsPerEvent ?? 1;
  const nc = c.choices ?? 1;
  const r = c.reasoningEvents ?? 0;
  const ttft = c.ttftMs ?? 40;
  const itl = c.itlMs ?? 10;
  const nl = c.lineEnd ?? '\n';
  const data = c.dataNoSpace ? 'data:' : 'data: ';
  const ev = (s: string) => `${data}${s}${nl}${nl}`;
  const id = 'chatcmpl-quirk';
  const out: Plan = [];
  const answer = Array.from({ length: nc }, () => '');
  let reasoning = '';
  let step = 0;
  const usage = (done: number) => ({ prompt_tokens: 7, completion_tokens: done, total_tokens: 7 + done, ...(c.reasoningUsage ? { completion_tokens_details: { reasoning_tokens: r * k } } : {}) });
  out.push({ at: 0, data: ev(chunk(id, Array.from({ length: nc }, (_, i) => ({ index: i, delta: { role: 'assistant', content: '' }, finish_reason: null })))) });
  if (c.comments) out.push({ at: 0, data: `: keep-alive${nl}${nl}` });
  for (let i = 0; i < r; i++, step++) {
    const text = Array.from({ length: k }, (_, j) => `think${i * k + j} `).join('');
    reasoning += text;
    out.push({ at: ttft + step * itl, data: ev(chunk(id, [{ index: 0, delta: { reasoning_content: text }, finish_reason: null }])) });
  }
  for (let i = 0; i < n; i++, step++) {
    for (let ch = 0; ch < nc; ch++) {
      let text = Array.from({ length: k }, (_, j) => word(ch, i * k + j)).join('');
      if (c.bigEventBytes && i === 1 && ch === 0) text = 'x'.repeat(c.bigEventBytes);
      answer[ch] += text;
      const cum = c.usage === 'cumulative' ? { usage: usage((step + 1) * k * nc) } : {};
      out.push({ at: ttft + step * itl + (c.stallMs && step >= 1 ? c.stallMs : 0), data: ev(chunk(id, [{ index: ch, delta: { content: text }, finish_reason: null }], cum)) });
    }
  }
  const end = ttft + step * itl + (c.stallMs ?? 0);
  const tokens = (n + r) * k * nc;
  const fr = c.finishReason === undefined ? 'stop' : c.finishReason;
  if (fr !== null) out.push({ at: end, data: ev(chunk(id, Array.from({ length: nc }, (_, i) => ({ index: i, delta: {}, finish_reason: fr })), c.usage === 'cumulative' ? { usage: usage(tokens) } : {})) });
  if ((c.usage ?? 'final') === 'final') out.push({ at: end, data: ev(chunk(id, [], { usage: usage(tokens) })) });
  if (c.done !== false) out.push({ at: end, data: ev('[DONE]') });
  return { plan: out, answer, reasoning, tokens };
}

async function answer(c: QuirkCase, req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>): Promise<void> {
  if (c.status && c.status >= 400) {
    const text = c.errorBody ?? JSON.stringify({ error: { message: `quirk error ${c.status}` } });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.encoding === 'gzip') {
      headers['content-encoding'] = 'gzip';
      res.writeHead(c.status, headers).end(zlib.gzipSync(text));
    } else res.writeHead(c.status, headers).end(text);
    return;
  }
  if (c.noNewline) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const piece = 'x'.repeat(64 * 1024);
    for (let sent = 0; sent < c.noNewline && !res.destroyed; sent += piece.length) {
      if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
    return;
  }
  const p = plan(c);
  const stream = body.stream !== false && !c.json;
  if (!stream) {
    await sleep((c.ttftMs ?? 40) + (c.events ?? 8) * (c.itlMs ?? 10));
    const choices = p.answer.map((text, i) => ({ index: i, message: { role: 'assistant', content: text, ...(i === 0 && p.reasoning ? { reasoning_content: p.reasoning } : {}) }, finish_reason: 'stop' }));
    const doc = JSON.stringify({ id: 'chatcmpl-quirk', object: 'chat.completion', model: 'quirk', choices, ...((c.usage ?? 'final') !== 'none' ? { usage: { prompt_tokens: 7, completion_tokens: p.tokens, total_tokens: 7 + p.tokens } } : {}) });
    res.writeHead(200, { 'content-type': c.contentType === undefined ? 'application/json' : (c.contentType ?? '') });
    res.end(doc);
    return;
  }
  const headers: Record<string, string> = {};
  if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'text/event-stream';
  if (c.encoding) headers['content-encoding'] = c.encoding;
  res.writeHead(200, headers);
  res.flushHeaders();
  // the transport: raw, compressed (flushed after every write, as a streaming server must), split, buffered
  let z: zlib.Gzip | zlib.Deflate | zlib.BrotliCompress | null = null;
  if (c.encoding === 'gzip') z = zlib.createGzip();
  else if (c.encoding === 'deflate') z = zlib.createDeflate();
  else if (c.encoding === 'br') z = zlib.createBrotliCompress();
  const out = async (b: Buffer) => {
    if (res.destroyed) return;
    if (!c.splitEvery) {
      res.write(b);
      return;
    }
    for (let i = 0; i < b.length; i += c.splitEvery) {
      res.write(b.subarray(i, i + c.splitEvery));
      await sleep(2);
    }
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const send = async (s: string, last: boolean) => {
    let b: Buffer = Buffer.from(s);
    if (c.encoding === 'zstd') b = zlib.gzipSync(b); // bytes no client can read as zstd
    else if (z) {
      const zz = z;
      b = await new Promise<Buffer>((resolve) => {
        const parts: Buffer[] = [];
        const onData = (d: Buffer) => parts.push(d);
        zz.on('data', onData);
        const done = () => {
          zz.off('data', onData);
          resolve(Buffer.concat(parts));
        };
        zz.write(b);
        if (last) {
          zz.once('end', done);
          zz.end();
        } else zz.flush(() => setImmediate(done));
      });
    }
    if (c.bufferBytes) {
      pending.push(b);
      pendingBytes += b.length;
      if (pendingBytes < c.bufferBytes && !last) return;
      b = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
    }
    if (c.oneWrite) {
      pending.push(b);
      if (!last) return;
      b = Buffer.concat(pending);
    }
    await out(b);
  };
  const t0 = Date.now();
  let events = 0;
  for (let i = 0; i < p.plan.length; i++) {
    const w = p.plan[i]!;
    const wait = w.at - (Date.now() - t0);
    if (wait > 0) await sleep(wait);
    if (res.destroyed || req.socket.destroyed) return;
    if (c.errorAfter !== undefined && events === c.errorAfter) {
      await send(`data: ${JSON.stringify({ error: { message: 'quirk: the model crashed mid-stream', type: 'server_error' } })}\n\n`, true);
      res.end();
      return;
    }
    if (c.resetAfter !== undefined && events === c.resetAfter) {
      req.socket.destroy();
      return;
    }
    if (w.data.includes('"content":"') && !w.data.includes('"content":""')) events++;
    await send(w.data, i === p.plan.length - 1);
  }
  res.end();
}

export async function startQuirkServer(): Promise<QuirkServer> {
  const cases = new Map<string, QuirkCase>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const name = (req.url ?? '').split('/')[1] ?? '';
      const c = cases.get(name);
      hits.set(name, (hits.get(name) ?? 0) + 1);
      if (!c) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no quirk case "${name}"` } }));
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      } catch {
        /* a probe or an empty body */
      }
      answer(c, req, res, body).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}/v1`,
    set: (name, c) => void cases.set(name, c),
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
