/**
 * The dashboard's HTTP server: loopback only (127.0.0.1), three routes, nothing else.
 *
 *   GET /         the page (page.ts): one self-contained HTML document
 *   GET /events   server-sent events: `state` (the whole state) first, then every DashEvent as it
 *                 happens, each as `event: <type>` with one JSON `data:` line; a comment every 15 s
 *                 keeps proxies from closing the stream
 *   GET /state    the current state as JSON (scripts, curl, tests)
 *
 * Requests whose Host header is not a loopback name are refused (403), so a web page elsewhere
 * cannot read the dashboard through DNS rebinding. The page needs nothing from the network: no CDN,
 * no font, no script from elsewhere (its Content-Security-Policy allows none).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.ts';
import type { DashEvent, DashState } from './model.ts';

export const DASHBOARD_HOST = '127.0.0.1';
const KEEPALIVE_MS = 15_000;
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

export interface DashboardServerOptions {
  /** 0: any free port */
  port: number;
  page(): string;
  state(): DashState;
}

export class DashboardServer {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepalive: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    this.keepalive = setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  static async start(o: DashboardServerOptions): Promise<DashboardServer> {
    let self: DashboardServer | undefined;
    const server = createServer((req, res) => {
      if (self) self.handle(req, res, o);
      else res.writeHead(503).end();
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        reject(
          e.code === 'EADDRINUSE'
            ? new ConfigError(`--dashboard: port ${o.port} on ${DASHBOARD_HOST} is in use (another llmperf dashboard?): give another with --dashboard-port, or --dashboard-port 0 for any free port`, 'DASHBOARD_PORT')
            : new ConfigError(`--dashboard: cannot listen on ${DASHBOARD_HOST}:${o.port}: ${e.message}`, 'DASHBOARD_PORT'),
        );
      });
      server.listen(o.port, DASHBOARD_HOST, () => resolve());
    });
    server.unref();
    const port = (server.address() as AddressInfo).port;
    self = new DashboardServer(server, `http://${DASHBOARD_HOST}:${port}/`);
    return self;
  }

  /** Sends an event to every connected page. */
  broadcast(ev: DashEvent): void {
    if (this.closed || this.clients.size === 0) return;
    const frame = sse(ev);
    for (const c of this.clients) c.write(frame);
  }

  /** Ends every event stream (pages keep what they show) and stops listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, o: DashboardServerOptions): void {
    const host = req.headers.host ?? '';
    if (!LOOPBACK_HOST.test(host)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('llmperf dashboard: only loopback host names (127.0.0.1, localhost) are served\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const common = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { ...common, 'content-type': 'text/html; charset=utf-8' }).end(o.page());
    } else if (path === '/state') {
      res.writeHead(200, { ...common, 'content-type': 'application/json' }).end(JSON.stringify(o.state()));
    } else if (path === '/events') {
      if (this.closed) {
        res.writeHead(204, common).end();
        return;
      }
      res.writeHead(200, { ...common, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n\n');
      res.write(sse({ type: 'state', state: o.state() }));
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
    } else {
      res.writeHead(404, { ...common, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  }
}

/** One server-sent event: its type as the event name, the event as one line of JSON. */
export function sse(ev: DashEvent): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}
