/**
 * Fault injection for the mock server.
 *
 * Faults are chosen per request, either by rate (FaultRates, one seeded draw per fault name, in
 * FAULT_NAMES order, for every request, so changing one rate never reshuffles the others) or
 * explicitly by the request, which then gets exactly the faults it names and no random ones:
 *   header  x-mock-fault: stall;ms=500, bad_json
 *   body    "mock": {"fault": "stall" | ["stall", "bad_json"], "ms": 500}
 *
 * What each fault does (streaming; non-streaming in brackets):
 *   http_429/http_500/http_503  reply at once with that status and a JSON error (429 adds retry-after)
 *   reset         destroy the connection with a TCP RST after half the content chunks [after half the body]
 *   stall         pause for stallMs (default 2000) after half the chunks, then continue [delays the body]
 *   bad_sse       add a malformed line without a proper "data:" field mid-stream [n/a]
 *   bad_json      add a `data: {"choices":[` event mid-stream [a truncated JSON body]
 *   no_done       end the stream without `data: [DONE]` (OpenAI routes only) [n/a]
 *   slow_headers  delay status line and headers (and everything after) by slowHeadersMs (default 1000)
 *   long_output   ignore max_tokens and send 10x the tokens [generation only: not on embeddings / rerank]
 *   jitter        multiply each delay by uniform(1-j, 1+j), j = jitterPct or 0.5
 * A fault that does not apply to the request (n/a) is not injected and not counted.
 */
import { DEFAULT_FAULT_JITTER, DEFAULT_SLOW_HEADERS_MS, DEFAULT_STALL_MS, FAULT_NAMES, type FaultName, type FaultRates } from './options.ts';
import type { Rng } from './tokens.ts';
import { BadRequest } from './request.ts';

/** A fault named by a request, with its optional duration parameter. */
export interface FaultSpec {
  name: FaultName;
  ms?: number;
}

export interface FaultPlan {
  /** Status of the http_* fault to reply with, if any. */
  httpStatus?: 429 | 500 | 503;
  reset: boolean;
  stallMs: number; // 0 = no stall
  slowHeadersMs: number; // 0 = no slow headers
  badSse: boolean;
  badJson: boolean;
  noDone: boolean;
  longOutput: boolean;
  /** Jitter fraction for this request (0 = none): the `jitter` fault or the jitterPct option. */
  jitter: number;
  /** The faults injected by name, for stats and the trace. */
  names: FaultName[];
}

const HTTP_FAULTS: Record<string, 429 | 500 | 503> = { http_429: 429, http_500: 500, http_503: 503 };

export function isFaultName(s: string): s is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(s);
}

/** Parses the x-mock-fault header: comma-separated `name` or `name;ms=500`. */
export function parseFaultHeader(value: string): FaultSpec[] {
  const out: FaultSpec[] = [];
  for (const item of value.split(',')) {
    const [rawName, ...params] = item.split(';').map((s) => s.trim());
    if (!rawName) continue;
    if (!isFaultName(rawName)) throw new BadRequest(`x-mock-fault: unknown fault ${JSON.stringify(rawName)} (valid: ${FAULT_NAMES.join(', ')})`);
    const spec: FaultSpec = { name: rawName };
    for (const p of params) {
      const m = /^ms\s*=\s*(\d+(?:\.\d+)?)$/.exec(p);
      if (!m) throw new BadRequest(`x-mock-fault: bad parameter ${JSON.stringify(p)} (write e.g. "stall;ms=500")`);
      spec.ms = Number(m[1]);
    }
    out.push(spec);
  }
  return out;
}

/** Parses body.mock.fault (+ body.mock.ms). */
export function parseFaultBody(fault: unknown, ms: unknown): FaultSpec[] {
  const names = Array.isArray(fault) ? fault : [fault];
  if (ms !== undefined && (typeof ms !== 'number' || !(ms >= 0))) throw new BadRequest('mock.ms: must be a non-negative number');
  return names.map((n) => {
    if (typeof n !== 'string' || !isFaultName(n)) throw new BadRequest(`mock.fault: unknown fault ${JSON.stringify(n)} (valid: ${FAULT_NAMES.join(', ')})`);
    return ms === undefined ? { name: n } : { name: n, ms };
  });
}

/** One draw per fault name, always, so the RNG stream does not depend on which rates are set. */
export function drawFaults(rates: FaultRates | undefined, rng: Rng): FaultSpec[] {
  const out: FaultSpec[] = [];
  for (const name of FAULT_NAMES) {
    const u = rng();
    const rate = rates?.[name];
    if (rate !== undefined && rate > 0 && u < rate) out.push({ name });
  }
  return out;
}

/**
 * Builds the plan for one request from the chosen faults. `streaming`, `hasDone` and `generates`
 * (false for embeddings and rerank) decide which faults apply. Only the first http_* fault is used.
 */
export function planFaults(
  specs: FaultSpec[],
  rates: FaultRates | undefined,
  jitterPct: number | undefined,
  streaming: boolean,
  hasDone: boolean,
  generates = true,
): FaultPlan {
  const plan: FaultPlan = {
    reset: false, stallMs: 0, slowHeadersMs: 0, badSse: false, badJson: false, noDone: false,
    longOutput: false, jitter: jitterPct ?? 0, names: [],
  };
  for (const s of specs) {
    if (plan.names.includes(s.name)) continue;
    switch (s.name) {
      case 'http_429': case 'http_500': case 'http_503':
        if (plan.httpStatus !== undefined) continue;
        plan.httpStatus = HTTP_FAULTS[s.name];
        break;
      case 'reset': plan.reset = true; break;
      case 'stall': plan.stallMs = s.ms ?? rates?.stallMs ?? DEFAULT_STALL_MS; break;
      case 'slow_headers': plan.slowHeadersMs = s.ms ?? rates?.slowHeadersMs ?? DEFAULT_SLOW_HEADERS_MS; break;
      case 'bad_sse': if (!streaming) continue; plan.badSse = true; break;
      case 'bad_json': plan.badJson = true; break;
      case 'no_done': if (!streaming || !hasDone) continue; plan.noDone = true; break;
      case 'long_output': if (!generates) continue; plan.longOutput = true; break;
      case 'jitter': plan.jitter = jitterPct ?? DEFAULT_FAULT_JITTER; break;
    }
    plan.names.push(s.name);
  }
  if (plan.httpStatus !== undefined) {
    // The request ends with the error status; nothing else about it happens.
    const http = plan.names.find((n) => n in HTTP_FAULTS)!;
    return { ...plan, reset: false, stallMs: 0, slowHeadersMs: 0, badSse: false, badJson: false, noDone: false, longOutput: false, names: [http] };
  }
  return plan;
}
