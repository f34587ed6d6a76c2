/** `llmperf/llm` (types/llm.d.ts): requests, sent and timed on the host. */
import type { LlmCallOptions } from '../../llm/types.ts';
import type { LlmModule } from './modules.ts';
import type { VuScope } from './scope.ts';

function paramsArg(p: unknown, where: string): Record<string, unknown> {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new TypeError(where + ': the first argument must be an object of request parameters');
  return p as Record<string, unknown>;
}

function optsArg(o: LlmCallOptions | undefined | null): LlmCallOptions | null {
  return o === undefined || o === null ? null : o;
}

export function makeLlm(vu: VuScope): LlmModule {
  const H = vu.H;
  return {
    chat(params, opts) {
      return H.llm('chat', paramsArg(params, 'llm.chat'), optsArg(opts), vu.group);
    },
    complete(params, opts) {
      return H.llm('complete', paramsArg(params, 'llm.complete'), optsArg(opts), vu.group);
    },
    request(params, opts) {
      return H.llm('request', paramsArg(params, 'llm.request'), optsArg(opts), vu.group);
    },
    embed(params, opts) {
      return H.llm('embed', paramsArg(params, 'llm.embed'), optsArg(opts), vu.group);
    },
    rerank(params, opts) {
      return H.llm('rerank', paramsArg(params, 'llm.rerank'), optsArg(opts), vu.group);
    },
    responses(params, opts) {
      return H.llm('responses', paramsArg(params, 'llm.responses'), optsArg(opts), vu.group);
    },
  };
}
