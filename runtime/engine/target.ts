/**
 * The target of a run: where requests go and how they are shaped. `openTarget` resolves the API
 * adapters from options.llm.api (built-ins and plugin files alike: runtime/llm/registry.ts), takes
 * the URL from options.llm.url or, when none is given, starts the built-in mock server, and probes a
 * real URL before the run (--no-test-connection skips it). prepareRun opens one per run; `perf`,
 * `sweep` and `capacity` open one and hand it to each of their runs (RunRequest.target), so the mock
 * starts and the probe runs once.
 */
import path from 'node:path';
import { LlmperfError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { probeEndpoint, type ProbeOptions } from '../llm/probe.ts';
import { ApiRegistry } from '../llm/registry.ts';
import { redactUrl } from '../secrets.ts';
import type { ResolvedLlm } from '../options/resolve.ts';

export interface Target {
  /** the URL as configured (a base URL or a full endpoint), or the embedded mock's base URL */
  readonly url: string;
  /** the built-in mock, started because no URL was given */
  readonly embedded: boolean;
  readonly apis: ApiRegistry;
  /** stops the embedded mock; nothing for a real target */
  close(): Promise<void>;
}

export interface TargetRequest {
  llm: ResolvedLlm;
  /** folders a relative API plugin path is tried in, in order (the working directory, the script's folder) */
  apiDirs: readonly string[];
  /** start the built-in mock when no URL is configured (default true); false: NO_TARGET */
  embeddedMock?: boolean;
  /** options of the embedded mock, as `--mock key=value` */
  mockOptions?: Record<string, unknown>;
  /** probe a real target before the run (default true) */
  testConnection?: boolean;
  /** accept any TLS certificate in the probe (insecureSkipTLSVerify) */
  insecureSkipTLSVerify?: boolean;
  /** how the probe behaves (runtime/llm/probe.ts): defaults suit `llmperf run` */
  probe?: Pick<ProbeOptions, 'endpoint' | 'params' | 'onClientError' | 'retryFlag' | 'signal'> & {
    /** keep retrying a server that is not up yet this long (default 0: fail at once) */
    retryForMs?: number;
    /** longest wait for the probe's answer (default the read timeout, at most 60 s) */
    answerTimeoutMs?: number;
  };
  log(line: string): void;
}

/** The longest the probe waits for an answer by default: a silent server fails fast. */
export const PROBE_ANSWER_TIMEOUT_MS = 60_000;

export async function openTarget(r: TargetRequest): Promise<Target> {
  const apis = await ApiRegistry.resolve(r.llm.api, r.apiDirs.map((d) => path.resolve(d)));
  if (r.llm.url !== undefined) {
    if (r.testConnection !== false) {
      const p = r.probe ?? {};
      await probeEndpoint({
        url: r.llm.url,
        adapter: apis.default,
        model: r.llm.model,
        headers: r.llm.headers,
        ...(r.llm.apiKey !== undefined ? { apiKey: r.llm.apiKey } : {}),
        connectTimeoutMs: r.llm.connectTimeoutMs,
        answerTimeoutMs: p.answerTimeoutMs ?? Math.min(r.llm.readTimeoutMs, PROBE_ANSWER_TIMEOUT_MS),
        totalTimeoutMs: p.retryForMs ?? 0,
        onClientError: p.onClientError ?? 'warn',
        ...(p.endpoint ? { endpoint: p.endpoint } : {}),
        ...(p.params ? { params: p.params } : {}),
        ...(p.retryFlag ? { retryFlag: p.retryFlag } : {}),
        ...(p.signal ? { signal: p.signal } : {}),
        ...(r.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
        // the probe's lines name the URL: never its password or a secret query parameter
        log: (l: string) => r.log(redactUrl(l)),
      });
    }
    return { url: r.llm.url, embedded: false, apis, close: async () => undefined };
  }
  if (r.embeddedMock === false) throw new LlmperfError('NO_TARGET', 'no target URL: give --url, LLMPERF_URL or options.llm.url', ExitCode.INVALID_CONFIG);
  const { startMockServer, parseMockOptions } = await import('../mock/index.ts');
  const mock = await startMockServer(parseMockOptions(r.mockOptions ?? {}));
  r.log(`no target URL given: benchmarking the built-in mock LLM server at ${mock.url} (give --url to test a real server)`);
  return { url: mock.url, embedded: true, apis, close: () => mock.close() };
}
