/**
 * The mock LLM server: HTTP plumbing, routing, per-request planning (length, faults, timing, load
 * mode), stats and the trace. Protocol shapes live in openai.ts / dashscope.ts, the timed writing
 * in stream.ts, the clock and timers in scheduler.ts.
 *
 * Routes: POST /v1/chat/completions, /v1/completions, /v1/responses (OpenAI's Responses API),
 * /v1/embeddings, /v1/rerank (also /v1/reranks, /v2/rerank), GET /v1/models (also at the root and
 * under DashScope's compatible prefixes: see routeOf), GET /health, GET /mock/stats, POST
 * /api/v1/services/aigc/text-generation/generation (DashScope). Embeddings and rerank are batch
 * routes (batch.ts): one JSON body, no generation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigError } from '../errors.ts';
import { DASHSCOPE_PATH, dashscopeError, dashscopeFull, dashscopeStream, dashscopeWantsStream, parseDashScope } from './dashscope.ts';
import { drawFaults, type FaultSpec, parseFaultBody, parseFaultHeader, planFaults } from './faults.ts';
import { idPrefix, modelsBody, openaiErrorFor, openaiFull, openaiStream, parseOpenAI } from './openai.ts';
import { type MockOptions, resolveMockOptions } from './options.ts';
import { batchInputs, embeddingsFull, parseEmbeddings, parseRerank, rerankFull } from './batch.ts';
import { parseResponses, responsesFull, responsesStream } from './responses.ts';
import { BadRequest, type GenRequest, type GenRoute, type RouteName } from './request.ts';
import { nowMs, Scheduler } from './scheduler.ts';
import { FullJob, type GenJob, type JobHost, type Outcome, type ResponseCtx, StreamJob } from './stream.ts';
import { mulberry32, outputLength, requestSeed, RNG_JITTER, RNG_MAIN, RNG_WORDS } from './tokens.ts';
import { TraceWriter } from './trace.ts';

export interface MockStats {
  /** Model requests received (chat, completions, dashscope, responses, embeddings, rerank). */
  requests: number;
  /** Generation requests received and not yet ended. */
  inflight: number;
  /** Generation requests ended, whatever the outcome (requests = inflight + completed). */
  completed: number;
  /** Of those ended, how many the client abandoned before the end. */
  aborted: number;
  /** Every HTTP request by route: chat, completions, dashscope, responses, embeddings, rerank, models, health, stats, not_found. */
  byRoute: Record<string, number>;
  /** Injected faults by name. */
  faults: Record<string, number>;
}

export interface MockServer {
  readonly url: string;
  readonly port: number;
  stats(): MockStats;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024 * 1024;

/**
 * The route of a path. The OpenAI routes are served at the root, under /v1, and under the prefixes of
 * DashScope's OpenAI-compatible endpoints (/compatible-mode/v1, /compatible-api/v1), so command lines
 * written for those run against the mock with only the host changed; rerank also at /v2/rerank and
 * /v1/reranks (evalscope's path). Any other path is not found.
 */
const OPENAI_PREFIX = /^(?:\/v1|\/compatible-mode\/v1|\/compatible-api\/v1)?(\/.*)$/;
const OPENAI_ROUTES: Record<string, RouteName> = {
  '/chat/completions': 'chat', '/completions': 'completions', '/responses': 'responses', '/embeddings': 'embeddings',
  '/rerank': 'rerank', '/reranks': 'rerank', '/models': 'models',
};

function routeOf(path: string): RouteName {
  if (path === DASHSCOPE_PATH) return 'dashscope';
  if (path === '/health' || path === '/v1/health') return 'health';
  if (path === '/mock/stats') return 'stats';
  if (path === '/v2/rerank') return 'rerank';
  const rest = OPENAI_PREFIX.exec(path)?.[1];
  return (rest !== undefined && OPENAI_ROUTES[rest]) || 'not_found';
}

class MockServerImpl implements MockServer, JobHost {
  readonly scheduler = new Scheduler();
  readonly eventsPerWrite: number;
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private counter = 0;
  private inflight = 0;
  private requests = 0;
  private completed = 0;
  private aborted = 0;
  private readonly byRoute: Record<string, number> = {};
  private readonly faults: Record<string, number> = {};
  private readonly created = Math.floor(Date.now() / 1000);
  private closing: Promise<void> | undefined;

  constructor(private readonly o: MockOptions, private readonly trace: TraceWriter | undefined) {
    this.eventsPerWrite = o.eventsPerWrite;
    this.server = createServer({ noDelay: true, keepAlive: true }, (req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 60_000;
    this.server.requestTimeout = 0;
    this.server.maxRequestsPerSocket = 0;
    this.server.on('connection', (s: Socket) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('clientError', (_e, s: Socket) => {
      if (s.writable) s.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else s.destroy();
    });
  }

  listen(): Promise<void> {
    const { host, port } = this.o;
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        if (e.code === 'EADDRINUSE') reject(new ConfigError(`port ${port} is already in use: pick another with --port, or --port 0 for a free one`, 'PORT_IN_USE', { cause: e }));
        else reject(new ConfigError(`mock server cannot listen on ${host}:${port}: ${e.message}`, 'LISTEN_FAILED', { cause: e }));
      };
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
        this.url = `http://${h}:${this.port}/v1`;
        resolve();
      });
    });
  }

  stats(): MockStats {
    return {
      requests: this.requests, inflight: this.inflight, completed: this.completed, aborted: this.aborted,
      byRoute: { ...this.byRoute }, faults: { ...this.faults },
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.scheduler.close();
      const closed = new Promise<void>((r) => this.server.close(() => r()));
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
      await closed;
      await new Promise<void>((r) => setImmediate(r)); // let 'close' handlers of responses run
      await this.trace?.close();
    })();
    return this.closing;
  }

  finished(job: GenJob, outcome: Outcome): void {
    this.inflight--;
    this.completed++;
    if (outcome === 'aborted') this.aborted++;
    const p = job.plan;
    this.trace?.add({
      id: p.id, route: p.route, recv: p.recv, first: job.first, last: job.last, chunks: job.chunksWritten,
      outputTokens: job.tokensSent, fault: p.faults.names.length ? p.faults.names.join(',') : null, status: job.headersSent ? 200 : 0, outcome,
      ...(p.requestId !== undefined ? { requestId: p.requestId } : {}),
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const recv = nowMs();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const route = routeOf(qi < 0 ? url : url.slice(0, qi));
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
    switch (route) {
      case 'chat': case 'completions': case 'dashscope': case 'responses': case 'embeddings': case 'rerank':
        if (req.method !== 'POST') { sendJson(res, 405, errorBody(route, 405, `use POST for ${url}`, '')); return; }
        this.onGenerate(route, req, res, recv);
        return;
      case 'models': case 'health': case 'stats':
        if (req.method !== 'GET' && req.method !== 'HEAD') { sendJson(res, 405, errorBody(route, 405, `use GET for ${url}`, '')); return; }
        sendJson(res, 200, route === 'models' ? modelsBody(this.o.model, this.created)
          : route === 'health' ? '{"status":"ok"}' : JSON.stringify(this.stats()));
        return;
      default:
        sendJson(res, 404, errorBody(route, 404, `no route for ${req.method} ${url} (the mock serves /v1/chat/completions, /v1/completions, /v1/responses, /v1/embeddings, /v1/rerank, /v1/models, ${DASHSCOPE_PATH}, /health, /mock/stats)`, ''));
    }
  }

  private onGenerate(route: GenRoute, req: IncomingMessage, res: ServerResponse, recv: number): void {
    // Load mode counts the requests in flight at arrival, not counting this one.
    const k = this.inflight;
    const n = this.counter++;
    this.requests++;
    this.inflight++;
    const id = route === 'dashscope' ? `mock-${n}-${(this.o.seed >>> 0).toString(16)}` : `${idPrefix(route)}mock-${n}`;
    const ridHeader = req.headers['x-request-id'];
    const rid = typeof ridHeader === 'string' ? ridHeader : undefined;
    let ended = false;
    const endEarly = (status: number, outcome: Outcome, fault: string | null = null): void => {
      if (ended) return;
      ended = true;
      this.inflight--;
      this.completed++;
      if (outcome === 'aborted') this.aborted++;
      this.trace?.add({ id, route, recv, first: null, last: null, chunks: 0, outputTokens: 0, fault, status, outcome, ...(rid !== undefined ? { requestId: rid } : {}) });
    };
    // Until the job starts, a client that goes away ends the request here; afterwards the job does.
    let started = false;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('error', () => { if (!started) endEarly(0, 'aborted'); });
    res.on('close', () => { if (!started) endEarly(0, 'aborted'); });
    req.on('end', () => {
      if (ended) return;
      if (size > MAX_BODY) {
        endEarly(413, 'ok');
        sendJson(res, 413, errorBody(route, 413, `request body over ${MAX_BODY} bytes`, id));
        return;
      }
      let gen: GenRequest;
      let specs: FaultSpec[] | undefined;
      try {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (e) {
          throw new BadRequest(`request body is not valid JSON: ${(e as Error).message}`);
        }
        gen = parseRequest(route, body, req.headers, this.o.model);
        const hdr = req.headers['x-mock-fault'];
        if (typeof hdr === 'string' && hdr.trim() !== '') specs = parseFaultHeader(hdr);
        else if (gen.mock?.fault !== undefined) specs = parseFaultBody(gen.mock.fault, gen.mock.ms);
      } catch (e) {
        if (!(e instanceof BadRequest)) throw e;
        endEarly(e.status, 'ok');
        sendJson(res, e.status, errorBody(route, e.status, e.message, id));
        return;
      }
      started = true;
      this.startJob(gen, specs, { id, n, k, recv, rid }, res, endEarly);
    });
  }

  private startJob(
    gen: GenRequest,
    specs: FaultSpec[] | undefined,
    r: { id: string; n: number; k: number; recv: number; rid: string | undefined },
    res: ServerResponse,
    endEarly: (status: number, outcome: Outcome, fault: string | null) => void,
  ): void {
    const o = this.o;
    const main = mulberry32(requestSeed(o.seed, r.n, RNG_MAIN));
    const len = outputLength(o.outputTokens, main, {
      override: gen.mock?.outputTokens, maxTokens: gen.maxTokens, minTokens: gen.minTokens, ignoreEos: gen.ignoreEos,
    });
    const drawn = drawFaults(o.faults, main);
    const faults = planFaults(specs ?? drawn, o.faults, o.jitterPct, gen.stream, gen.route !== 'dashscope', gen.batch === undefined);
    for (const name of faults.names) this.faults[name] = (this.faults[name] ?? 0) + 1;
    if (faults.httpStatus !== undefined) {
      const s = faults.httpStatus;
      const msg = s === 429 ? 'mock: rate limit exceeded (injected http_429)' : s === 500 ? 'mock: internal server error (injected http_500)' : 'mock: service unavailable (injected http_503)';
      endEarly(s, 'ok', faults.names.join(','));
      sendJson(res, s, errorBody(gen.route, s, msg, r.id), s === 429 ? { 'retry-after': '1' } : undefined);
      return;
    }
    const load = o.load;
    // Load mode (fixed at arrival): ttft = ttftMs + k*ttftPerInflightMs, itl = itlMs + k*itlPerInflightMs.
    const ttft = gen.mock?.ttftMs ?? o.ttftMs + (load ? r.k * load.ttftPerInflightMs : 0);
    const itl = gen.mock?.itlMs ?? o.itlMs + (load ? r.k * load.itlPerInflightMs : 0);
    // a batch request has no output: its body is due after ttft + one itl per further input
    const plan = {
      id: r.id, route: gen.route, recv: r.recv, ttft: gen.batch ? ttft + (batchInputs(gen.batch) - 1) * itl : ttft, itl,
      tokens: gen.batch ? 1 : faults.longOutput ? len.tokens * 10 : len.tokens,
      noOutput: gen.batch !== undefined,
      tokensPerChunk: o.tokensPerChunk, finish: len.finish, faults,
      wordsRng: mulberry32(requestSeed(o.seed, r.n, RNG_WORDS)),
      jitterRng: mulberry32(requestSeed(o.seed, r.n, RNG_JITTER)),
      ...(r.rid !== undefined ? { requestId: r.rid } : {}),
    };
    const ctx: ResponseCtx = { id: r.id, created: Math.floor(Date.now() / 1000), model: gen.model, promptTokens: gen.promptTokens };
    let job: GenJob;
    if (gen.batch) {
      const rng = mulberry32(requestSeed(o.seed, r.n, RNG_WORDS));
      job = new FullJob(plan, res, this, gen.batch.kind === 'embeddings' ? embeddingsFull(ctx, gen.batch, rng) : rerankFull(ctx, gen.batch, rng));
    } else if (gen.route === 'responses') {
      job = gen.stream ? new StreamJob(plan, res, this, responsesStream(ctx, o.usage)) : new FullJob(plan, res, this, responsesFull(ctx, o.usage));
    } else if (gen.route === 'dashscope') {
      job = gen.stream ? new StreamJob(plan, res, this, dashscopeStream(ctx, gen)) : new FullJob(plan, res, this, dashscopeFull(ctx, gen));
    } else {
      const route = gen.route === 'completions' ? 'completions' : 'chat';
      job = gen.stream ? new StreamJob(plan, res, this, openaiStream(route, ctx, o.usage && gen.includeUsage)) : new FullJob(plan, res, this, openaiFull(route, ctx));
    }
    if (res.destroyed) job.abort(); // the client left while the body was parsed
    else job.start();
  }
}

/** The protocol module that parses a route's body. */
function parseRequest(route: GenRoute, body: unknown, headers: IncomingMessage['headers'], model: string): GenRequest {
  switch (route) {
    case 'dashscope': return parseDashScope(body, dashscopeWantsStream(headers), model);
    case 'responses': return parseResponses(body, model);
    case 'embeddings': return parseEmbeddings(body, model);
    case 'rerank': return parseRerank(body, model);
    case 'completions': return parseOpenAI('completions', body, model);
    default: return parseOpenAI('chat', body, model);
  }
}

function errorBody(route: RouteName, status: number, message: string, id: string): string {
  return route === 'dashscope' ? dashscopeError(status, message, id) : openaiErrorFor(status, message);
}

function sendJson(res: ServerResponse, status: number, body: string, extra?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

/** Starts a mock server; resolves once it listens. See options.ts for the options and defaults. */
export async function startMockServer(opts: Partial<MockOptions> = {}): Promise<MockServer> {
  const o = resolveMockOptions(opts);
  const trace = o.traceFile ? await TraceWriter.open(o.traceFile) : undefined;
  const s = new MockServerImpl(o, trace);
  try {
    await s.listen();
  } catch (e) {
    await trace?.close();
    throw e;
  }
  return s;
}
