/**
 * A stand-in W&B server on 127.0.0.1 that speaks what the W&B SDKs send (recorded from @wandb/sdk
 * 0.5.1: test/fixtures/wandb/sdk-0.5.1-traffic.json): GraphQL `Viewer` and `UpsertBucket` on
 * POST /graphql, and POST /files/<entity>/<project>/<run>/file_stream with history lines, the
 * summary and the final { complete, exitcode }. It keeps what each run received, so tests can read
 * the run, its config, history and summary back. Basic auth "api:<key>": any other key gets a 401.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinRun {
  entity: string;
  project: string;
  id: string;
  displayName: string | undefined;
  /** the config, unwrapped from the Python SDK's {key: {value}} form when sent that way */
  config: Record<string, unknown>;
  /** the raw config string as sent */
  configRaw: string;
  history: Array<Record<string, unknown>>;
  summary: Record<string, unknown>;
  complete: boolean;
  exitcode: number | undefined;
}

export interface WandbStandin {
  url: string;
  runs: StandinRun[];
  /** every request, for protocol checks (authorization header kept as received) */
  requests: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown }>;
  close(): Promise<void>;
}

function unwrap(config: Record<string, unknown>): Record<string, unknown> {
  const vals = Object.values(config);
  const wrapped = vals.length > 0 && vals.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in (v as object));
  return wrapped ? Object.fromEntries(Object.entries(config).map(([k, v]) => [k, (v as { value: unknown }).value])) : config;
}

export async function startWandbStandin(opts: { apiKey: string; entity?: string; port?: number }): Promise<WandbStandin> {
  const runs: StandinRun[] = [];
  const requests: WandbStandin['requests'] = [];
  const entity = opts.entity ?? 'standin-user';
  const expected = `Basic ${Buffer.from(`api:${opts.apiKey}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : {};
      } catch {
        // kept as text
      }
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const send = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.headers.authorization !== expected) return send(401, { errors: [{ message: 'user is not logged in' }] });
      if (req.method === 'POST' && path === '/graphql') {
        const q = body as { query?: string; variables?: Record<string, unknown> };
        if (/\bquery\s+Viewer\b/.test(q.query ?? '')) return send(200, { data: { viewer: { id: 'u1', entity, flags: '{}', teams: { edges: [] } } } });
        if (/\bmutation\s+UpsertBucket\b/.test(q.query ?? '')) {
          const v = q.variables ?? {};
          const id = String(v.name ?? v.id ?? '');
          const ent = String(v.entity || entity);
          const project = String(v.project || 'uncategorized');
          let run = runs.find((r) => r.id === id && r.project === project && r.entity === ent);
          const configRaw = typeof v.config === 'string' ? v.config : '{}';
          if (!run) {
            run = { entity: ent, project, id, displayName: v.displayName as string | undefined, config: {}, configRaw, history: [], summary: {}, complete: false, exitcode: undefined };
            runs.push(run);
          }
          run.configRaw = configRaw;
          run.config = unwrap(JSON.parse(configRaw) as Record<string, unknown>);
          return send(200, {
            data: { upsertBucket: { bucket: { id: `b-${id}`, name: id, displayName: run.displayName ?? null, description: null, config: configRaw, sweepName: null, project: { id: `p-${project}`, name: project, entity: { id: `e-${ent}`, name: ent } } }, inserted: true } },
          });
        }
        return send(400, { errors: [{ message: 'unknown query' }] });
      }
      const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path);
      if (req.method === 'POST' && m) {
        const [, ent, project, id] = m.map((x) => decodeURIComponent(x ?? '')) as [string, string, string, string];
        const run = runs.find((r) => r.id === id && r.project === project && r.entity === ent);
        if (!run) return send(404, { error: 'run not found' });
        const fs = body as { files?: Record<string, { offset: number; content: string[] }>; complete?: boolean; exitcode?: number };
        const hist = fs.files?.['wandb-history.jsonl'];
        if (hist) {
          hist.content.forEach((line, i) => {
            run.history[hist.offset + i] = JSON.parse(line) as Record<string, unknown>;
          });
        }
        const sum = fs.files?.['wandb-summary.json'];
        if (sum?.content.length) run.summary = JSON.parse(sum.content[sum.content.length - 1]!) as Record<string, unknown>;
        if (fs.complete) {
          run.complete = true;
          run.exitcode = fs.exitcode;
        }
        return send(200, { exitcode: null, limits: {} });
      }
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
