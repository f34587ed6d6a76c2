/**
 * What the responses were like, counted over a run's successful requests, and what the summary says
 * about it:
 *  - token provenance: how many output and input counts came from the server's usage, the
 *    tokenizer, or llmperf's estimate (llm.tokenSources, llm.tokenCountSources), with a hint to pass
 *    a tokenizer when any was estimated;
 *  - stream health: how many streams really streamed, and how many did not (buffered, one read,
 *    a whole body), came as SSE under another content type, or ended without [DONE]
 *    (summary.json streamHealth), each finding with what it means and what to do;
 *  - reasoning: requests that reasoned and their reasoning and answer tokens (llm.reasoning).
 * The counts (ResponseFacts) are plain data: added to per request (runtime/engine/response-facts.ts),
 * summed over instances by `llmperf merge`, turned into summary sections here. Pure.
 */
import type { RequestRecord } from '../../types/run.d.ts';
import type { ReasoningSummary, StreamHealthSummary, SummaryData, TokenProvenance, TokenSourceCounts } from '../../types/summary.d.ts';

export interface ResponseFacts {
  tokens: { input: TokenSourceCounts; output: TokenSourceCounts };
  stream: {
    requests: number;
    ok: number;
    buffered: number;
    oneRead: number;
    notStreamed: number;
    withoutDone: number;
    /** SSE received under another content type, by that type ('none' when absent) */
    nonSseContentTypes: Record<string, number>;
  };
  reasoning: { requests: number; reasoningTokens: number; answerTokens: number; sources: TokenSourceCounts };
}

const counts = (): TokenSourceCounts => ({ usage: 0, tokenizer: 0, estimated: 0 });

export function emptyFacts(): ResponseFacts {
  return {
    tokens: { input: counts(), output: counts() },
    stream: { requests: 0, ok: 0, buffered: 0, oneRead: 0, notStreamed: 0, withoutDone: 0, nonSseContentTypes: {} },
    reasoning: { requests: 0, reasoningTokens: 0, answerTokens: 0, sources: counts() },
  };
}

/** Counts one successful request (failed ones say nothing about how a server streams or counts). */
export function addRecord(f: ResponseFacts, r: RequestRecord): void {
  if (!r.ok) return;
  if (r.outputTokenSource) f.tokens.output[r.outputTokenSource]++;
  if (r.inputTokenSource) f.tokens.input[r.inputTokenSource]++;
  const s = f.stream;
  if (r.streamCheck !== null) {
    s.requests++;
    if (r.streamCheck === 'ok') s.ok++;
    else if (r.streamCheck === 'buffered') s.buffered++;
    else if (r.streamCheck === 'one_read') s.oneRead++;
    else s.notStreamed++;
    if (r.streamCheck !== 'not_streamed' && r.contentType !== 'text/event-stream') {
      const ct = r.contentType ?? 'none';
      s.nonSseContentTypes[ct] = (s.nonSseContentTypes[ct] ?? 0) + 1;
    }
  }
  if (r.endedWithoutDone) s.withoutDone++;
  if (r.reasoningTokens !== null) {
    const q = f.reasoning;
    q.requests++;
    q.reasoningTokens += r.reasoningTokens;
    q.answerTokens += r.answerTokens ?? 0;
    if (r.reasoningTokenSource) q.sources[r.reasoningTokenSource]++;
  }
}

function addCounts(a: TokenSourceCounts, b: TokenSourceCounts): TokenSourceCounts {
  return { usage: a.usage + b.usage, tokenizer: a.tokenizer + b.tokenizer, estimated: a.estimated + b.estimated };
}

export function mergeFacts(a: ResponseFacts, b: ResponseFacts): ResponseFacts {
  const ct = { ...a.stream.nonSseContentTypes };
  for (const [k, v] of Object.entries(b.stream.nonSseContentTypes)) ct[k] = (ct[k] ?? 0) + v;
  return {
    tokens: { input: addCounts(a.tokens.input, b.tokens.input), output: addCounts(a.tokens.output, b.tokens.output) },
    stream: {
      requests: a.stream.requests + b.stream.requests,
      ok: a.stream.ok + b.stream.ok,
      buffered: a.stream.buffered + b.stream.buffered,
      oneRead: a.stream.oneRead + b.stream.oneRead,
      notStreamed: a.stream.notStreamed + b.stream.notStreamed,
      withoutDone: a.stream.withoutDone + b.stream.withoutDone,
      nonSseContentTypes: ct,
    },
    reasoning: {
      requests: a.reasoning.requests + b.reasoning.requests,
      reasoningTokens: a.reasoning.reasoningTokens + b.reasoning.reasoningTokens,
      answerTokens: a.reasoning.answerTokens + b.reasoning.answerTokens,
      sources: addCounts(a.reasoning.sources, b.reasoning.sources),
    },
  };
}

/** The facts a summary was built from (null for summaries written before they were kept). */
export function factsFromSummary(s: SummaryData): ResponseFacts | null {
  const t = s.llm?.tokenSources;
  if (!t) return null;
  const f = emptyFacts();
  f.tokens = { input: { ...t.input }, output: { ...t.output } };
  const h = s.streamHealth;
  if (h) f.stream = { requests: h.requests, ok: h.streamed, buffered: h.buffered, oneRead: h.oneRead, notStreamed: h.notStreamed, withoutDone: h.withoutDone, nonSseContentTypes: { ...h.nonSseContentTypes } };
  const r = s.llm.reasoning;
  if (r) f.reasoning = { requests: r.requests, reasoningTokens: r.reasoningTokens, answerTokens: r.answerTokens, sources: { ...r.sources } };
  return f;
}

/** The one-line hint shown wherever token counts are estimated. */
export const TOKENIZER_HINT =
  'token counts are estimated (the server sent no usage): pass --tokenizer <folder with tokenizer.json | tiktoken:o200k_base> to count them exactly (llmperf perf: --tokenizer-path), or have the server return usage';

export function tokenProvenance(f: ResponseFacts): TokenProvenance {
  const estimated = f.tokens.output.estimated + f.tokens.input.estimated > 0;
  return { output: { ...f.tokens.output }, input: { ...f.tokens.input }, estimated, ...(estimated ? { hint: TOKENIZER_HINT } : {}) };
}

/** "usage", "tokenizer", "estimated", or a mix with shares ("usage 90%, estimated 10%"); "" without counts. */
export function sourceLabel(c: TokenSourceCounts): string {
  const total = c.usage + c.tokenizer + c.estimated;
  if (total === 0) return '';
  const parts = (['usage', 'tokenizer', 'estimated'] as const).filter((k) => c[k] > 0);
  if (parts.length === 1) return parts[0]!;
  return parts.map((k) => `${k} ${Math.round((100 * c[k]) / total)}%`).join(', ');
}

/** llm.tokenCountSources: "output: usage; input: estimated". */
export function provenanceLabel(p: Pick<TokenProvenance, 'input' | 'output'>): string {
  const o = sourceLabel(p.output);
  const i = sourceLabel(p.input);
  return [o ? `output: ${o}` : '', i ? `input: ${i}` : ''].filter(Boolean).join('; ');
}

/** What to do about a buffering proxy (one place, for the warnings, the summary and the report). */
export const BUFFERING_ADVICE =
  'a proxy or gateway between llmperf and the server holds the stream back: nginx `proxy_buffering off;` (or the server sends `X-Accel-Buffering: no`), and no gzip on text/event-stream; a gateway: turn its response buffering off';

/**
 * One finding per condition seen: `level` WARN for what distorts the figures, INFO for what does
 * not. `clientLate`: whether llmperf's own timing thread ran late during the run (summary.json
 * client.timestamps.late; unknown while it runs): a late client batches events too.
 */
export function streamFindings(f: ResponseFacts, clientLate?: boolean): Array<{ level: 'WARN' | 'INFO'; kind: string; text: string }> {
  const s = f.stream;
  const out: Array<{ level: 'WARN' | 'INFO'; kind: string; text: string }> = [];
  const of = (n: number) => `${n} of ${s.requests} streamed responses`;
  const left = 'their TPOT and ITL are left out of the percentiles (counted in llm_not_streamed)';
  const client =
    clientLate === undefined
      ? " (If summary.json client.timestamps.late is true, llmperf's own timing thread may have batched them instead: raise --io-threads.)"
      : clientLate
        ? " llmperf's own timing thread also ran late in this run (summary.json client.timestamps): it may have batched the events itself: raise --io-threads and run again before blaming a proxy."
        : '';
  if (s.buffered) out.push({ level: 'WARN', kind: 'buffered', text: `${of(s.buffered)} arrived in bursts (most gaps between events near zero): ${BUFFERING_ADVICE}. Their TTFT includes the hold-up; ${left}.${client}` });
  if (s.oneRead) out.push({ level: 'WARN', kind: 'one_read', text: `${of(s.oneRead)} arrived whole, every event in one read: the server or a proxy sent the stream at once (${BUFFERING_ADVICE}); ${left}.${client}` });
  if (s.notStreamed) out.push({ level: 'WARN', kind: 'not_streamed', text: `${of(s.notStreamed)} came back as one JSON body, not an event stream: the server or a gateway ignored "stream": true; these have no TTFT, TPOT or ITL (llm_not_streamed); check that the endpoint streams` });
  const cts = Object.entries(s.nonSseContentTypes);
  if (cts.length) {
    const n = cts.reduce((a, [, v]) => a + v, 0);
    const list = cts.map(([k, v]) => `${k === 'none' ? 'no content type' : `content-type ${k}`} (${v})`).join(', ');
    out.push({ level: 'WARN', kind: 'content_type', text: `${of(n)} were SSE sent with ${list}, not text/event-stream: llmperf read them as SSE, but proxies buffer other content types: have the server send content-type: text/event-stream (FastAPI: StreamingResponse(..., media_type="text/event-stream"))` });
  }
  if (s.withoutDone) out.push({ level: 'INFO', kind: 'without_done', text: `${of(s.withoutDone)} ended without data: [DONE] after every choice's finish_reason: counted as successes` });
  return out;
}

export function streamHealth(f: ResponseFacts, clientLate?: boolean): StreamHealthSummary | undefined {
  const s = f.stream;
  if (s.requests === 0 && s.withoutDone === 0) return undefined;
  const findings = streamFindings(f, clientLate);
  const excluded = s.buffered + s.oneRead + s.notStreamed;
  return {
    requests: s.requests,
    streamed: s.ok,
    buffered: s.buffered,
    oneRead: s.oneRead,
    notStreamed: s.notStreamed,
    excluded,
    nonSseContentTypes: { ...s.nonSseContentTypes },
    withoutDone: s.withoutDone,
    degraded: findings.some((x) => x.level === 'WARN'),
    findings: findings.map((x) => `${x.level} ${x.text}`),
  };
}

export function reasoningSummary(f: ResponseFacts): ReasoningSummary | undefined {
  const r = f.reasoning;
  if (r.requests === 0) return undefined;
  return { requests: r.requests, reasoningTokens: r.reasoningTokens, answerTokens: r.answerTokens, sources: { ...r.sources }, tokenCountSource: sourceLabel(r.sources) };
}
