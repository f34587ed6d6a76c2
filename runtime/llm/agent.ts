/**
 * undici's connection-pooling Agent, loaded on its own. `import { Agent } from 'undici'` evaluates
 * the whole package (fetch, WebSocket, EventSource, caches, mocks): ~150 ms of compiling in the main
 * thread and again in every I/O thread, before the first request can leave. The Agent's own module
 * takes ~50 ms. The package's index is also what adds `request()` and the other promise APIs to
 * every dispatcher; `agentRequest` calls the one of them llmperf needs without it.
 * test/llm/agent.test.ts checks both against the package, in a process that never loads its index.
 */
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export type Agent = UndiciAgent;

const request = require('undici/lib/api/api-request.js') as (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** undici's `dispatcher.request(opts)` (a promise of the status, headers and body stream). */
export function agentRequest(agent: Dispatcher, opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return request.call(agent, opts);
}
