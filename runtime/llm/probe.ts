/**
 * The start-up connection probe of `llmperf run` and `llmperf perf` (evalscope's connection test; skip it with
 * --no-test-connection): one GET to the target URL. Any HTTP answer (or a connection that stays silent), even 404 or 405, means the
 * server is there; a refused, unresolvable or silent address is a TargetUnreachable (exit 100) with
 * one line that says what failed.
 */
import { Agent, request } from 'undici';
import { TargetUnreachable } from '../errors.ts';
import { transportErrorCode } from './error-codes.ts';

export async function probeTarget(url: string, connectTimeoutMs: number): Promise<void> {
  const agent = new Agent({ connect: { timeout: connectTimeoutMs }, headersTimeout: connectTimeoutMs + 5000, bodyTimeout: 5000 });
  try {
    const res = await request(url, { method: 'GET', dispatcher: agent });
    await res.body.dump();
  } catch (e) {
    const err = e as Error & { code?: string };
    // connected, but no answer to a GET in time: the server is there (it may only serve POST)
    if (transportErrorCode(err) === 'READ_TIMEOUT') return;
    const origin = (() => {
      try {
        return new URL(url).origin;
      } catch {
        return url;
      }
    })();
    const code = transportErrorCode(err);
    const why =
      code === 'CONN_REFUSED'
        ? 'connection refused: is the server running and listening there?'
        : code === 'DNS'
          ? 'the host name does not resolve'
          : code === 'CONNECT_TIMEOUT'
            ? `no answer within ${Math.round(connectTimeoutMs / 1000)} s (--connect-timeout)`
            : `${err.code ?? code}: ${err.message}`;
    throw new TargetUnreachable(`cannot reach ${origin} (${url}): ${why} (skip this check with --no-test-connection)`);
  } finally {
    await agent.close().catch(() => undefined);
  }
}
