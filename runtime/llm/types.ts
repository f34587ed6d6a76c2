/** Types of the llm module, shared by the host client, the bridge and the record store. */

export type TokenSource = 'usage' | 'tokenizer' | 'estimated';

// The script-facing shapes are defined once, in the public types (types/llm.d.ts).
export type { LlmResult, Usage } from '../../types/llm.d.ts';

// One request as listeners, the store and outputs see it: defined once, in types/run.d.ts.
export type { RequestRecord } from '../../types/run.d.ts';

/** Options a script passes as the second argument of llm.chat / complete / request. */
export interface LlmCallOptions {
  tags?: Record<string, string>;
  name?: string;
  headers?: Record<string, string>;
  /** per-request total timeout: ms or a duration string */
  timeout?: number | string;
  api?: string;
  url?: string;
  model?: string;
}
