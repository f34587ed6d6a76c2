/**
 * The life of one generation response after it has been parsed and planned: a Timed task on the
 * server's scheduler that writes the headers, then each content event at its absolute deadline
 *     due(i) = base + ttft + i * itl          (base = t_recv, + slowHeadersMs under slow_headers;
 *                                              + stallMs for i >= chunks/2 under stall)
 * (with jitter, each delay is multiplied by its own uniform(1-j, 1+j) draw and the deadlines are the
 * running sum, still relative to base, never to when the previous write really happened). Events
 * that are due together (itl=0 or a late wake-up) go into one res.write, up to eventsPerWrite.
 * Back-pressure is honoured: after a write returns false, nothing more is written until 'drain'.
 *
 * Trace times: `first`/`last` are taken immediately after the res.write call that carried the
 * first/last content event (the bytes reach the socket in the same event-loop turn).
 */
import type { ServerResponse } from 'node:http';
import type { FaultPlan } from './faults.ts';
import type { GenRoute } from './request.ts';
import { nowMs, type Scheduler, type Timed } from './scheduler.ts';
import { type Rng, words } from './tokens.ts';

export interface ResponseCtx {
  id: string;
  created: number;
  model: string;
  promptTokens: number;
}

export type Finish = 'stop' | 'length';

/** How a protocol renders a streaming response. Strings are complete SSE events. */
export interface StreamFormat {
  headers: Record<string, string>;
  /** Written with the headers (OpenAI chat's role-only chunk); '' for none. */
  head: string;
  /** One content event; `finish` is set on the last one. */
  content(text: string, tokensSoFar: number, finish: Finish | null): string;
  /** Everything after the last content event (usage chunk, [DONE]). */
  tail(outputTokens: number, noDone: boolean): string;
  malformed(kind: 'bad_sse' | 'bad_json'): string;
}

/** How a protocol renders a non-streaming response body. */
export interface FullFormat {
  contentType: string;
  body(text: string, outputTokens: number, finish: Finish): string;
}

export type Outcome = 'ok' | 'reset' | 'aborted';

/** What a job needs from its server. */
export interface JobHost {
  readonly scheduler: Scheduler;
  readonly eventsPerWrite: number;
  finished(job: GenJob, outcome: Outcome): void;
}

export interface JobPlan {
  id: string;
  route: GenRoute;
  recv: number;
  ttft: number;
  itl: number;
  tokens: number;
  tokensPerChunk: number;
  finish: Finish;
  faults: FaultPlan;
  wordsRng: Rng;
  jitterRng: Rng;
  /** the request's x-request-id header, echoed into the trace */
  requestId?: string;
  /** a batch request (embeddings, rerank): nothing generated, the trace counts 0 output tokens */
  noOutput?: boolean;
}

/** Shared by streaming and non-streaming jobs: bookkeeping the server reads when the job ends. */
export abstract class GenJob implements Timed {
  due = 0;
  seq = 0;
  first: number | null = null;
  last: number | null = null;
  chunksWritten = 0;
  tokensSent = 0;
  protected done = false;
  protected readonly base: number;

  constructor(readonly plan: JobPlan, protected readonly res: ServerResponse, protected readonly host: JobHost) {
    this.base = plan.recv + plan.faults.slowHeadersMs;
    res.on('close', () => this.end('aborted'));
  }

  abstract start(): void;
  abstract fire(now: number): void;

  /** Whether the status line and headers went out (false: the client left before them). */
  get headersSent(): boolean {
    return this.res.headersSent;
  }

  /** Ends the job without writing anything more (the client is gone). */
  abort(): void {
    this.end('aborted');
  }

  protected jit(d: number): number {
    const j = this.plan.faults.jitter;
    return j > 0 ? d * (1 - j + 2 * j * this.plan.jitterRng()) : d;
  }

  protected end(outcome: Outcome): void {
    if (this.done) return;
    this.done = true;
    this.host.finished(this, outcome);
  }

  /** Sends a TCP RST once what was written so far has left for the socket (next turn). */
  protected reset(): void {
    const sock = this.res.socket;
    this.end('reset');
    setImmediate(() => {
      if (sock && !sock.destroyed) sock.resetAndDestroy();
    });
  }
}

export class StreamJob extends GenJob {
  private readonly chunks: number;
  private readonly stallAt: number;
  private readonly midAt: number;
  private i = 0;
  private nextDue: number;
  private headersWritten = false;
  private waitingDrain = false;

  constructor(plan: JobPlan, res: ServerResponse, host: JobHost, private readonly fmt: StreamFormat) {
    super(plan, res, host);
    this.chunks = Math.ceil(plan.tokens / plan.tokensPerChunk);
    this.midAt = Math.floor(this.chunks / 2);
    this.stallAt = plan.faults.stallMs > 0 ? this.midAt : -1;
    this.nextDue = this.base + this.jit(plan.ttft) + (this.stallAt === 0 ? plan.faults.stallMs : 0);
  }

  start(): void {
    if (this.base > nowMs()) this.host.scheduler.schedule(this, this.base);
    else this.sendHeaders();
  }

  private sendHeaders(): void {
    this.headersWritten = true;
    this.res.writeHead(200, this.fmt.headers);
    if (this.fmt.head) this.res.write(this.fmt.head);
    else this.res.flushHeaders();
    this.host.scheduler.schedule(this, this.nextDue);
  }

  fire(now: number): void {
    if (this.done) return;
    if (!this.headersWritten) { this.sendHeaders(); return; }
    const { plan, fmt } = this;
    const f = plan.faults;
    const max = this.host.eventsPerWrite;
    const firstWrite = this.chunksWritten === 0;
    let buf = '';
    let n = 0;
    for (;;) {
      const i = this.i;
      if (f.reset && i === this.midAt) {
        if (buf) this.res.write(buf);
        this.reset();
        return;
      }
      if (i === this.midAt) {
        if (f.badSse) buf += fmt.malformed('bad_sse');
        if (f.badJson) buf += fmt.malformed('bad_json');
      }
      const count = Math.min(plan.tokensPerChunk, plan.tokens - this.tokensSent);
      this.tokensSent += count;
      const last = i === this.chunks - 1;
      buf += fmt.content(words(plan.wordsRng, count), this.tokensSent, last ? plan.finish : null);
      this.i = i + 1;
      n++;
      if (last) {
        buf += fmt.tail(this.tokensSent, f.noDone);
        break;
      }
      this.nextDue += this.jit(plan.itl);
      if (this.i === this.stallAt) this.nextDue += f.stallMs;
      if (n >= max || this.nextDue > now) break;
    }
    const ok = this.res.write(buf);
    const t = nowMs();
    this.chunksWritten += n;
    if (firstWrite) this.first = t;
    if (this.i === this.chunks) {
      this.last = t;
      this.res.end();
      this.end('ok');
      return;
    }
    if (ok) this.host.scheduler.schedule(this, this.nextDue);
    else if (!this.waitingDrain) {
      this.waitingDrain = true;
      this.res.once('drain', () => {
        this.waitingDrain = false;
        if (!this.done) this.host.scheduler.schedule(this, this.nextDue);
      });
    }
  }
}

export class FullJob extends GenJob {
  constructor(plan: JobPlan, res: ServerResponse, host: JobHost, private readonly fmt: FullFormat) {
    super(plan, res, host);
  }

  start(): void {
    const { plan } = this;
    let due = this.base + this.jit(plan.ttft) + plan.faults.stallMs;
    for (let i = 1; i < plan.tokens; i++) due += this.jit(plan.itl);
    this.host.scheduler.schedule(this, due);
  }

  fire(): void {
    if (this.done) return;
    const { plan, res } = this;
    const text = words(plan.wordsRng, plan.tokens);
    let body = this.fmt.body(text, plan.tokens, plan.finish);
    const full = Buffer.byteLength(body);
    if (plan.faults.badJson) body = body.slice(0, Math.floor(body.length / 2));
    const len = plan.faults.reset ? full : Buffer.byteLength(body);
    res.writeHead(200, { 'content-type': this.fmt.contentType, 'content-length': String(len) });
    if (plan.faults.reset) {
      res.write(body.slice(0, Math.floor(body.length / 2)));
      this.reset();
      return;
    }
    res.end(body);
    this.first = this.last = nowMs();
    this.chunksWritten = 1;
    this.tokensSent = plan.noOutput ? 0 : plan.tokens;
    this.end('ok');
  }
}
