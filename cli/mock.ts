/**
 * `llmperf mock`: runs the built-in mock LLM server until SIGINT/SIGTERM. Parsing only; the server
 * is runtime/mock.
 */
import type { Argv, CommandModule } from 'yargs';
import { formatDuration } from '../runtime/options/duration.ts';
import { FAULT_NAMES, MOCK_DEFAULTS, parseMockOptions, startMockServer, type MockOptions } from '../runtime/mock/index.ts';

const DEFAULT_PORT = 8000;

interface MockArgs {
  host: string;
  port: number;
  ttft?: string;
  itl?: string;
  'output-tokens'?: string;
  'tokens-per-chunk'?: number;
  'events-per-write'?: number;
  usage?: boolean;
  model?: string;
  seed?: number;
  'trace-file'?: string;
  fault?: string[];
  stall?: string;
  'slow-headers'?: string;
  'ttft-per-inflight'?: string;
  'itl-per-inflight'?: string;
  jitter?: string;
}

const EPILOGUE = [
  'Timing: the first content chunk of a request received at t is due at t + ttft, chunk i at t + ttft + i*itl (absolute deadlines, no drift). OpenAI chat streams start with a role-only chunk sent with the headers. max_tokens caps the output (finish_reason "length"); min_tokens and ignore_eos are honoured. Prompt tokens are estimated as ceil(chars / 4).',
  'Load mode (--ttft-per-inflight, --itl-per-inflight): a request arriving while k other requests are in flight (not counting itself) gets, fixed at arrival:',
  '    ttft = ttft + k * ttft-per-inflight\n    itl  = itl  + k * itl-per-inflight',
  'With C clients in a closed loop, each request in steady state sees k = C - 1.',
  `Faults (--fault name=rate, rate 0..1 or 10%, drawn per request from the seed): ${FAULT_NAMES.join(', ')}. One request can ask for faults and timings itself, with the header "x-mock-fault: stall;ms=500" or the body field "mock": {"fault": "stall", "ms": 500, "ttft_ms": 100, "itl_ms": 5, "output_tokens": 32}.`,
  'Routes: POST /v1/chat/completions, /v1/completions, /v1/responses (OpenAI Responses API), /v1/embeddings, /v1/rerank (also /v1/reranks, /v2/rerank), at the root and under /compatible-mode/v1 too, GET /v1/models, GET /health, GET /mock/stats, POST /api/v1/services/aigc/text-generation/generation (DashScope).',
].join('\n\n');

export const mockCommand: CommandModule<object, MockArgs> = {
  command: 'mock',
  describe: 'Run the built-in mock LLM server (OpenAI-compatible and DashScope streaming)',
  builder: (y: Argv<object>): Argv<MockArgs> =>
    y
      .option('host', { type: 'string', default: MOCK_DEFAULTS.host, describe: 'Address to listen on' })
      .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'Port to listen on (0 = a free port)' })
      .option('ttft', { type: 'string', describe: `Time to first token, e.g. 200ms (default ${MOCK_DEFAULTS.ttftMs}ms)` })
      .option('itl', { type: 'string', describe: `Inter-token latency between chunks, e.g. 20ms (default ${MOCK_DEFAULTS.itlMs}ms)` })
      .option('output-tokens', { type: 'string', describe: `Tokens per response: 128, or a range 64-256 drawn per request (default ${String(MOCK_DEFAULTS.outputTokens)})` })
      .option('tokens-per-chunk', { type: 'number', describe: 'Tokens carried by each content chunk (default 1)' })
      .option('events-per-write', { type: 'number', describe: 'SSE events per socket write when several are due at once, e.g. itl 0 (default 1)' })
      .option('usage', { type: 'boolean', describe: 'Send the usage chunk when a request sets stream_options.include_usage (default true; --no-usage)' })
      .option('model', { type: 'string', describe: `Model id listed by /v1/models (default ${MOCK_DEFAULTS.model}); any requested model is accepted and echoed` })
      .option('seed', { type: 'number', describe: 'Seed for output lengths, words and faults (default 1)' })
      .option('trace-file', { type: 'string', describe: 'Append one JSON line per finished request (recv/first/last on CLOCK_MONOTONIC, ms)' })
      .option('fault', { type: 'string', array: true, describe: 'Inject a fault at a rate: name=rate, repeatable (see below)' })
      .option('stall', { type: 'string', describe: 'Pause of the stall fault (default 2s)' })
      .option('slow-headers', { type: 'string', describe: 'Header delay of the slow_headers fault (default 1s)' })
      .option('ttft-per-inflight', { type: 'string', describe: 'Load mode: ttft added per request in flight, e.g. 5ms' })
      .option('itl-per-inflight', { type: 'string', describe: 'Load mode: itl added per request in flight, e.g. 0.5ms' })
      .option('jitter', { type: 'string', describe: 'Multiply every delay by uniform(1-j, 1+j): 0.2 or 20%' })
      .example('$0 mock', 'Serve on http://127.0.0.1:8000/v1 with the defaults')
      .example('$0 mock --ttft 200ms --itl 20ms --output-tokens 128', 'A slower model with fixed 128-token answers')
      .example('$0 mock --port 0 --output-tokens 64-256 --seed 7', 'A free port; answer lengths drawn from 64-256')
      .example('$0 mock --fault http_500=0.1 --fault reset=0.05 --stall 5s', '10% HTTP 500s, 5% connection resets')
      .example('$0 mock --ttft-per-inflight 5ms --itl-per-inflight 0.5ms', 'Slow down as concurrency grows (load mode)')
      .example('$0 mock --ttft 0 --itl 0 --events-per-write 16', 'As fast as possible, for client overhead benchmarks')
      .epilogue(EPILOGUE) as unknown as Argv<MockArgs>,
  handler: async (argv) => {
    const opts = parseMockOptions(argv as unknown as Record<string, unknown>);
    const server = await startMockServer(opts);
    process.stdout.write(`mock LLM server listening on ${server.url} (${describe(opts)})\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    process.exitCode = 0;
  },
};

/** "ttft 200ms, itl 20ms, 128 tokens" */
function describe(o: Partial<MockOptions>): string {
  const ms = (v: number): string => (v === 0 ? '0ms' : formatDuration(v));
  const t = o.outputTokens ?? MOCK_DEFAULTS.outputTokens;
  const tokens = typeof t === 'number' ? String(t) : `${t.min}-${t.max}`;
  return `ttft ${ms(o.ttftMs ?? MOCK_DEFAULTS.ttftMs)}, itl ${ms(o.itlMs ?? MOCK_DEFAULTS.itlMs)}, ${tokens} tokens`;
}
