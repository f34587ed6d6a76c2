/**
 * An I/O thread: owns one undici Agent per session (run), sends the requests the main thread hands
 * it, timestamps and frames every response (runtime/llm/exchange.ts), and hands finished exchanges
 * back in batches, one message per turn of its event loop. It runs no VU code, aggregates no
 * metric, builds no record and stores nothing: nothing it does for one request delays the
 * timestamps of another request's bytes by more than the parsing of an event.
 * Every second it also reports its health (runtime/llm/io/protocol.ts IoHealth).
 */
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { Agent } from '../agent.ts';
import type { ApiAdapter } from '../api.ts';
import { exchange, failedExchange, type ExchangeHandle, type RawExchange } from '../exchange.ts';
import { BUILTIN_APIS, loadApiPlugin } from '../registry.ts';
import type { FromIo, SendItem, SessionSettings, ToIo } from './protocol.ts';
import { monotonicOffset } from '../../monotonic.ts';

interface Session {
  agent: Agent;
  readTimeoutMs: number;
  plugin: ApiAdapter | undefined;
  /** requests sent before the plugin loaded */
  queue: SendItem[];
  ready: boolean;
}

const port = parentPort!;
const sessions = new Map<number, Session>();
const open = new Map<number, ExchangeHandle>();
let doneBatch: Array<{ id: number; x: RawExchange }> = [];
let flushScheduled = false;
let activeThisSecond = false;

function post(m: FromIo): void {
  port.postMessage(m);
}

function flush(): void {
  flushScheduled = false;
  if (doneBatch.length === 0) return;
  const items = doneBatch;
  doneBatch = [];
  post({ t: 'done', items });
}

function send(s: Session, it: SendItem): void {
  const api = it.api === s.plugin?.name ? s.plugin : BUILTIN_APIS[it.api];
  if (!api) {
    doneBatch.push({ id: it.id, x: failedExchange('REQUEST_ERROR', `unknown api "${it.api}" on the I/O thread`) });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return;
  }
  activeThisSecond = true;
  let ended = false;
  const h = exchange(s.agent, it.req, api, { totalTimeoutMs: it.totalTimeoutMs, readTimeoutMs: s.readTimeoutMs }, (x) => {
    ended = true;
    open.delete(it.id);
    doneBatch.push({ id: it.id, x });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
  if (!ended) open.set(it.id, h);
}

async function openSession(id: number, st: SessionSettings): Promise<void> {
  const s: Session = {
    agent: new Agent({
      connections: Math.max(1, st.connections),
      pipelining: 1,
      connect: { timeout: st.connectTimeoutMs, noDelay: true, ...(st.insecureSkipTLSVerify ? { rejectUnauthorized: false } : {}) },
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: st.readTimeoutMs,
      bodyTimeout: st.readTimeoutMs,
    }),
    readTimeoutMs: st.readTimeoutMs,
    plugin: undefined,
    queue: [],
    ready: !st.pluginFile,
  };
  sessions.set(id, s);
  if (!st.pluginFile) {
    post({ t: 'opened', session: id });
    return;
  }
  try {
    s.plugin = await loadApiPlugin(st.pluginFile);
    post({ t: 'opened', session: id });
  } catch (e) {
    post({ t: 'opened', session: id, error: (e as Error).message });
  }
  s.ready = true;
  for (const it of s.queue) send(s, it);
  s.queue = [];
}

port.on('message', (m: ToIo) => {
  switch (m.t) {
    case 'open':
      void openSession(m.session, m.settings);
      break;
    case 'send': {
      const s = sessions.get(m.session);
      if (!s) break;
      if (!s.ready) s.queue.push(...m.items);
      else for (const it of m.items) send(s, it);
      break;
    }
    case 'cancel':
      for (const id of m.ids) open.get(id)?.cancel(m.message);
      break;
    case 'close': {
      const s = sessions.get(m.session);
      sessions.delete(m.session);
      void (s ? s.agent.destroy().catch(() => undefined) : Promise.resolve()).then(() => post({ t: 'closed', session: m.session }));
      break;
    }
  }
});

// ---- health: how late this thread got to its sockets, and how busy it was, every second
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let elu = perf.eventLoopUtilization();
const healthTimer = setInterval(() => {
  const now = perf.eventLoopUtilization();
  const d = perf.eventLoopUtilization(now, elu);
  elu = now;
  const active = activeThisSecond || open.size > 0;
  activeThisSecond = false;
  post({
    t: 'health',
    health: { lagP99Ms: delay.percentile(99) / 1e6, lagMaxMs: delay.max / 1e6, utilization: d.utilization, inflight: open.size, active },
  });
  delay.reset();
}, 1000);
healthTimer.unref();

/** This thread's id (Linux: /proc/thread-self links to /proc/<pid>/task/<tid>), for the main thread's priority step. */
function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

post({ t: 'ready', clockOffset: monotonicOffset(), tid: threadId() });
