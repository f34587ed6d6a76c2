/** Types of the llm module, shared by the host client, the bridge and the record store. */

// The script-facing shapes are defined once, in the public types (types/llm.d.ts).
export type { LlmResult, StreamCheck, TokenSource, Usage } from '../../types/llm.d.ts';

// One request as listeners, the store and outputs see it: defined once, in types/run.d.ts.
export type { RequestRecord } from '../../types/run.d.ts';

// The second argument of llm.chat / complete / request: defined once, in the public types.
export type { RequestOptions as LlmCallOptions } from '../../types/llm.d.ts';
