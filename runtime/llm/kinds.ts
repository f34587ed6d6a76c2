/**
 * What each llm.* call means for a request: the endpoint the adapter is asked for, and the adapter
 * used when the call names none. Generation (chat, complete, request) uses the run's API
 * (options.llm.api); embed, rerank and responses use their own built-in adapter, unless the run's
 * API is a plugin, which then receives them too (with endpoint 'embeddings', 'rerank', 'responses').
 */
import type { Endpoint } from './api.ts';
import type { ApiRegistry } from './registry.ts';
import type { LlmKind } from '../vu/protocol.ts';

/** The built-in adapter of each non-generation call. */
const OWN_API: Partial<Record<LlmKind, string>> = { embed: 'embedding', rerank: 'rerank', responses: 'responses' };

/** The endpoint of a call: llm.request picks chat when the body has `messages`. */
export function endpointFor(kind: LlmKind, params: Record<string, unknown>): Endpoint {
  switch (kind) {
    case 'chat':
      return 'chat';
    case 'complete':
      return 'completions';
    case 'embed':
      return 'embeddings';
    case 'rerank':
      return 'rerank';
    case 'responses':
      return 'responses';
    case 'request':
      return 'messages' in params ? 'chat' : 'completions';
  }
}

/** The adapter name a call uses: the one it names, else its own built-in, else the run's. */
export function apiNameFor(kind: LlmKind, named: string | undefined, apis: ApiRegistry): string {
  if (named !== undefined) return named;
  const own = OWN_API[kind];
  return own !== undefined && !apis.defaultIsPlugin ? own : apis.defaultName;
}
