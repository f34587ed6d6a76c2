/**
 * The strict TypeScript placed in every generated perf script:
 * how a request body is built from a dataset item, for each API, and the default function of each
 * mode (one request, one conversation, one trace record). script.ts writes the constants these read
 * (PROMPT, ENDPOINT, MODEL, TEMPLATE, DEFAULTS, PARAMS, EXTRA, OFFSET, MAX_TOKENS_RANGE, ...).
 */

/** Helpers every script has. */
export const BODY_FUNCTIONS = String.raw`function promptOf(item: DatasetItem): string {
  if (typeof item.prompt === 'string') return item.prompt;
  return (item.messages || []).map((m) => String(m.content)).join('\n');
}

function messagesOf(item: DatasetItem): Body[] {
  return item.messages ? item.messages.map((m) => ({ role: m.role, content: m.content })) : [{ role: 'user', content: item.prompt }];
}

// --max-tokens min max: drawn uniformly per request (evalscope 1.10)
function maxTokens(): number {
  if (!MAX_TOKENS_RANGE) return PARAMS.max_tokens !== undefined ? PARAMS.max_tokens : DEFAULTS.max_tokens;
  const [lo, hi] = MAX_TOKENS_RANGE;
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

// Fills "{model}", "{prompt}" and "{max_tokens}"-style placeholders; a string that is exactly one
// placeholder takes the value's type (a number stays a number).
function fill(v: unknown, vars: Body, seen: Record<string, boolean>): unknown {
  if (typeof v === 'string') {
    const whole = /^\{(\w+)\}$/.exec(v);
    if (whole && vars[whole[1]!] !== undefined) { seen[whole[1]!] = true; return vars[whole[1]!]; }
    return v.replace(/\{(model|prompt)\}/g, (_m: string, k: string) => { seen[k] = true; return String(vars[k]); });
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, vars, seen));
  if (v && typeof v === 'object') {
    const out: Body = {};
    for (const [k, x] of Object.entries(v)) out[k] = fill(x, vars, seen);
    return out;
  }
  return v;
}

// A generation request (openai, dashscope, a plugin).
function body(item: DatasetItem): Body {
  let b: Body;
  if (TEMPLATE) {
    const seen: Record<string, boolean> = {};
    b = fill(TEMPLATE, Object.assign({}, DEFAULTS, PARAMS, { model: MODEL, prompt: promptOf(item) }), seen) as Body;
    if (!seen.prompt) {
      // no "{prompt}" placeholder: the item replaces the template's messages (evalscope's rule)
      if (b.input && typeof b.input === 'object') b.input.messages = messagesOf(item);
      else if (ENDPOINT === 'completions') b.prompt = promptOf(item);
      else b.messages = messagesOf(item);
    }
  } else if (item.body) {
    // a request body (a JSON line, an image dataset, a trace): its own fields win; model, defaults,
    // flags and --extra-args only fill what it lacks
    b = Object.assign({}, item.body);
    const native = b.input && typeof b.input === 'object' && !Array.isArray(b.input);
    const target: Body = native ? (b.parameters = Object.assign({}, b.parameters)) : b;
    if (b.model === undefined && MODEL !== null) b.model = MODEL;
    if (MAX_TOKENS_RANGE && target.max_tokens === undefined) target.max_tokens = maxTokens();
    for (const src of [DEFAULTS, PARAMS, EXTRA]) for (const k of Object.keys(src)) if (target[k] === undefined) target[k] = src[k];
    if (native && target.stream !== undefined) { b.stream = target.stream; delete target.stream; }
    return b;
  } else {
    b = ENDPOINT === 'completions' ? { prompt: promptOf(item) } : { messages: messagesOf(item) };
  }
  // DashScope's own shape ({input, parameters}): the parameters go under "parameters"
  const native = b.input && typeof b.input === 'object';
  const target: Body = native ? (b.parameters = Object.assign({}, b.parameters)) : b;
  if (MODEL !== null) b.model = MODEL; // --model always wins, as in evalscope
  for (const k of Object.keys(DEFAULTS)) if (target[k] === undefined) target[k] = DEFAULTS[k];
  Object.assign(target, PARAMS, EXTRA);
  if (MAX_TOKENS_RANGE) target.max_tokens = maxTokens();
  if (native) {
    b.stream = target.stream;
    delete target.stream;
  }
  return b;
}

// Embeddings (evalscope's openai_embedding): {input, model} and --extra-args; chat-shaped items are
// turned into inputs by the adapter.
function embedBody(item: DatasetItem): Body {
  const b: Body = item.body ? Object.assign({}, item.body) : item.prompt !== undefined ? { input: item.prompt } : { messages: messagesOf(item) };
  if (MODEL !== null && b.model === undefined) b.model = MODEL;
  return Object.assign(b, EXTRA);
}

// Rerank (evalscope's openai_rerank): {query, documents, model} and --extra-args.
function rerankBody(item: DatasetItem): Body {
  const b: Body = item.body ? Object.assign({}, item.body) : item.prompt !== undefined ? { prompt: item.prompt } : { messages: messagesOf(item) };
  if (MODEL !== null && b.model === undefined) b.model = MODEL;
  return Object.assign(b, EXTRA);
}

// The Responses API (evalscope's openai_responses): input, model, max_output_tokens, stream,
// temperature, top_p, --extra-args; the adapter turns messages into input items.
function responsesBody(item: DatasetItem): Body {
  let b: Body;
  if (TEMPLATE) b = Object.assign({}, TEMPLATE, { input: ENDPOINT === 'completions' ? promptOf(item) : messagesOf(item) });
  else if (item.body) {
    b = Object.assign({}, item.body);
    if (b.messages !== undefined && b.input === undefined) { b.input = b.messages; delete b.messages; }
  } else b = { input: ENDPOINT === 'completions' ? promptOf(item) : messagesOf(item) };
  if (MODEL !== null) b.model = MODEL;
  b.max_output_tokens = maxTokens();
  b.stream = PARAMS.stream;
  b.temperature = PARAMS.temperature !== undefined ? PARAMS.temperature : DEFAULTS.temperature;
  if (PARAMS.top_p !== undefined) b.top_p = PARAMS.top_p;
  return Object.assign(b, EXTRA);
}

// Sends one request the way the run's API takes it.
function send(item: DatasetItem, opts?: RequestOptions): Promise<LlmResult> {
  if (API === 'embed') return llm.embed(embedBody(item) as EmbedParams, opts);
  if (API === 'rerank') return llm.rerank(rerankBody(item) as RerankParams, opts);
  if (API === 'responses') return llm.responses(responsesBody(item) as ResponsesParams, opts);
  const b = body(item);
  return ENDPOINT === 'completions' && b.input === undefined && b.messages === undefined ? llm.complete(b as CompletionParams, opts) : llm.chat(b as ChatParams, opts);
}

function record(res: LlmResult): void {
  if (res.ok && res.e2e && res.outputTokens !== null) {
    outputTps.add((res.outputTokens * 1000) / res.e2e);
    totalTps.add(((res.outputTokens + (res.inputTokens ?? 0)) * 1000) / res.e2e);
  }
}
`;

/** One request per iteration: item OFFSET + i. */
export const SINGLE_MAIN = String.raw`export default async function () {
  const item: DatasetItem = data ? data.get(OFFSET + exec.scenario.iterationInTest) : { prompt: PROMPT ?? '' };
  record(await send(item));
}
`;

/**
 * One conversation per iteration (--multi-turn), as evalscope's multi-turn runner: each turn adds its
 * messages to the context, the model's real answer is appended after it, a failed turn ends the
 * conversation. Requests are tagged with their turn (1, 2, ...); with --rate, a Poisson pause
 * (mean 1/rate s) comes before each turn.
 */
export const MULTI_TURN_MAIN = String.raw`export default async function () {
  const conv: DatasetItem = data ? data.get(OFFSET + exec.scenario.iterationInTest) : { prompt: PROMPT ?? '' };
  const turns: Array<{ messages: Body[]; maxTokens?: number; toolCallLatency?: number }> = conv.turns || [{ messages: messagesOf(conv) }];
  const context: Body[] = [];
  for (let i = 0; i < turns.length; i++) {
    if (MAX_TURNS !== null && i >= MAX_TURNS) break;
    const turn = turns[i]!;
    if (turn.toolCallLatency) await sleep(turn.toolCallLatency);
    for (const m of turn.messages) context.push(Object.assign({}, m));
    if (TURN_RATE > 0) await sleep(-Math.log(1 - Math.random()) / TURN_RATE);
    const item: DatasetItem = { messages: context.slice() as ChatMessage[] };
    const opts: RequestOptions = { tags: { turn: String(i + 1) } };
    let res: LlmResult;
    if (API === 'responses') res = await llm.responses(Object.assign(responsesBody(item), turn.maxTokens ? { max_output_tokens: turn.maxTokens } : {}) as ResponsesParams, opts);
    else res = await llm.chat(Object.assign(body(item), turn.maxTokens ? { max_tokens: turn.maxTokens } : {}) as ChatParams, opts);
    record(res);
    if (!res.ok) break;
    context.push({ role: 'assistant', content: res.text });
  }
}
`;

/**
 * One trace record per iteration (workload_trace, on the replay executor): the recorded body, its
 * headers (those the command line also sets, and auth headers when --api-key is given, stay the
 * command line's), its request_id as a tag.
 */
export const TRACE_MAIN = String.raw`export default async function () {
  const item = data!.get(exec.scenario.replay!.index);
  const opts: RequestOptions = {};
  if (item.headers) {
    const headers: Record<string, string> = {};
    for (const k of Object.keys(item.headers)) {
      const lower = k.toLowerCase();
      if (CLI_HEADERS.includes(lower) || (HAS_KEY && lower === 'authorization')) continue;
      headers[k] = item.headers[k]!;
    }
    opts.headers = headers;
  }
  if (item.meta && item.meta.requestId !== undefined) opts.tags = { request_id: String(item.meta.requestId) };
  if (API === 'generate') record(await llm.request(body(item) as ChatParams, opts));
  else record(await send(item, opts));
}
`;
