/** `llmperf perf`'s pure parts, table-driven: the sweep, the scenario mapping, URLs, flags, the generated script. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandLine, perfNotes } from '../../cli/perf-flags.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { parseScenario, planScenario } from '../../runtime/executors/index.ts';
import { dashscopeUrl } from '../../runtime/llm/dashscope.ts';
import { planRuns, scenarioFor, scheduleSeed, warmupCount, type PerfOptions } from '../../runtime/perf/config.ts';
import { perfOptionsFrom } from '../../cli/perf.ts';
import { endpointOf, requestUrl } from '../../runtime/perf/inputs.ts';
import { gridTable } from '../../runtime/perf/report.ts';
import { generateScript } from '../../runtime/perf/script.ts';
import { perfOptions } from './helpers.ts';

describe('perf: the sweep (evalscope pairs --number/--parallel/--rate by position)', () => {
  const cases: Array<[string, Parameters<typeof perfOptions>[0], Array<[number, number, number]>]> = [
    ['one run', { number: [10], parallel: [10] }, [[10, 10, -1]]],
    ['paired lists', { parallel: [1, 2], number: [4, 8] }, [[1, 4, -1], [2, 8, -1]]],
    ['one value is broadcast', { parallel: [1, 2, 4], number: [20] }, [[1, 20, -1], [2, 20, -1], [4, 20, -1]]],
    ['rates paired too', { parallel: [4], number: [10, 20], rate: [5, 10] }, [[4, 10, 5], [4, 20, 10]]],
    ['open loop ignores --parallel (INF = -1)', { openLoop: true, parallel: [7], number: [10, 20], rate: [2, 4] }, [[-1, 10, 2], [-1, 20, 4]]],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => {
      const runs = planRuns(perfOptions({ prompt: 'hi', ...over }));
      assert.deepEqual(runs.map((r) => [r.parallel, r.number, r.rate]), want);
    });
  }

  const bad: Array<[string, Parameters<typeof perfOptions>[0], RegExp]> = [
    ['lists of different lengths', { parallel: [1, 2], number: [4, 8, 16] }, /--parallel has 2 values/],
    ['rate 0', { rate: [0] }, /--rate 0: give requests per second > 0, or -1/],
    ['open loop without a rate', { openLoop: true }, /--open-loop needs --rate/],
    ['parallel 0', { parallel: [0] }, /--parallel 0: must be a whole number >= 1/],
    ['no model', { model: '' }, /--model is required/],
    ['file dataset without a path', { prompt: undefined, dataset: 'openqa' }, /--dataset openqa needs --dataset-path: llmperf never downloads/],
    ['min > max prompt length', { minPromptLength: 10, maxPromptLength: 5 }, /--min-prompt-length 10 is greater than --max-prompt-length 5/],
    ['workload_trace without --open-loop', { prompt: undefined, dataset: 'workload_trace', datasetPath: 't.jsonl' }, /--dataset workload_trace replays recorded arrival times: add --open-loop/],
    ['--multi-turn with --open-loop', { multiTurn: true, openLoop: true, rate: [2] }, /--multi-turn does not combine with --open-loop/],
    ['a conversation dataset without --multi-turn', { prompt: undefined, dataset: 'custom_multi_turn', datasetPath: 'c.jsonl' }, /--dataset custom_multi_turn holds conversations: add --multi-turn/],
    ['--max-tokens min > max', { maxTokens: [10, 5] }, /--max-tokens 10 5: give one value, or two whole numbers/],
  ];
  for (const [name, over, re] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => planRuns(perfOptions({ prompt: 'hi', ...over })), (e: unknown) => e instanceof ConfigError && re.test(e.message));
    });
  }
});

describe('perf: each run maps onto an executor', () => {
  test('closed loop: shared-iterations, P VUs, N iterations, no time limit', () => {
    const o = perfOptions({ prompt: 'hi', parallel: [10], number: [100] });
    const sc = scenarioFor(planRuns(o)[0]!, o);
    assert.equal(sc.executor, 'shared-iterations');
    const plan = planScenario(parseScenario('perf', sc));
    assert.equal(plan.iterations, 100);
    assert.equal(plan.maxVUs, 10);
    assert.ok(plan.durationMs >= 7 * 24 * 3600_000 - 1, 'no maxDuration cut-off without --duration');
  });

  test('--rate: Poisson arrivals, --parallel as the VU cap, exactly N iterations', () => {
    const o = perfOptions({ prompt: 'hi', parallel: [3], number: [12], rate: [20], seed: 7 });
    const c = parseScenario('perf', scenarioFor(planRuns(o)[0]!, o));
    assert.equal(c.executor, 'constant-arrival-rate');
    if (c.executor !== 'constant-arrival-rate') return;
    assert.equal(c.arrival, 'poisson');
    assert.equal(c.rate, 20);
    assert.equal(c.maxVUs, 3);
    assert.equal(c.iterations, 12);
    assert.equal(c.seed, 7);
    const plan = planScenario(c);
    assert.equal(plan.iterations, 12);
    assert.equal(c.queue, true, 'an arrival that finds all --parallel slots busy waits for one (evalscope)');
    assert.match(plan.description, /Poisson arrivals at 20 iterations\/s .* or until 12 iterations have started \(3-3 VUs, arrivals queue for a free VU/);
  });

  test('no --seed: the drawn seed shapes the schedule (and random prompts) but is never sent', () => {
    const o = perfOptions({ prompt: 'hi', parallel: [3], number: [12], rate: [20], drawnSeed: 12345 });
    const c = parseScenario('perf', scenarioFor(planRuns(o)[0]!, o));
    if (c.executor !== 'constant-arrival-rate') assert.fail(c.executor);
    assert.equal(c.seed, 12345);
    assert.equal(scheduleSeed(perfOptions({ seed: 7, drawnSeed: 1 })), 7, '--seed wins');
  });

  test('--open-loop: VUs up to N; --duration bounds the run', () => {
    const o = perfOptions({ prompt: 'hi', openLoop: true, number: [50], rate: [5], duration: 30 });
    const c = parseScenario('perf', scenarioFor(planRuns(o)[0]!, o));
    if (c.executor !== 'constant-arrival-rate') assert.fail(c.executor);
    assert.equal(c.maxVUs, 50);
    assert.ok(c.preAllocatedVUs >= 10 && c.preAllocatedVUs <= 50);
    assert.equal(c.durationMs, 30_000);
  });

  test('--warmup-num: a count, or a share of --number below 1', () => {
    assert.equal(warmupCount(perfOptions({ warmupNum: 0 }), 100), 0);
    assert.equal(warmupCount(perfOptions({ warmupNum: 3 }), 100), 3);
    assert.equal(warmupCount(perfOptions({ warmupNum: 0.1 }), 100), 10);
    assert.equal(warmupCount(perfOptions({ warmupNum: 0.01 }), 10), 1);
    assert.equal(warmupCount(perfOptions({ warmupNum: 0.15 }), 10), 1, "evalscope's int(): 1.5 -> 1, not rounded");
  });
});

describe('perf: URLs', () => {
  const o = perfOptions();
  const cases: Array<[string, string, string, string | undefined]> = [
    ['openai', 'http://h:8000/v1/chat/completions', 'http://h:8000/v1/chat/completions', undefined],
    ['openai', 'http://h:8000/v1', 'http://h:8000/v1/chat/completions', 'has no endpoint path'],
    ['openai', 'http://h:8000/v1/completions', 'http://h:8000/v1/completions', undefined],
    ['dashscope', 'https://dashscope.aliyuncs.com/api/v1', 'https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation', undefined],
    ['dashscope', 'http://127.0.0.1:9000/v1', 'http://127.0.0.1:9000/api/v1/services/aigc/text-generation/generation', undefined],
  ];
  for (const [api, url, want, note] of cases) {
    test(`${api} ${url}`, () => {
      const r = requestUrl({ ...o, api }, url, endpointOf(o, url));
      assert.equal(r.url, want);
      if (note) assert.match(r.note ?? '', new RegExp(note));
      else assert.equal(r.note, undefined);
    });
  }
  test('the completions URL picks the completions endpoint; --no-apply-chat-template forces it', () => {
    assert.equal(endpointOf(o, 'http://h/v1/completions'), 'completions');
    assert.equal(endpointOf(o, 'http://h/v1/chat/completions'), 'chat');
    assert.equal(endpointOf({ ...o, applyChatTemplate: false }, 'http://h/v1/chat/completions'), 'completions');
  });
  test('dashscopeUrl keeps a full generation URL', () => {
    const full = 'https://x.example/api/v1/services/aigc/text-generation/generation';
    assert.equal(dashscopeUrl(full), full);
  });
});

describe('perf: flags', () => {
  // argparse keeps the last occurrence of a flag, its whole value list for list flags (yargs joins them)
  const lastWins: Array<[string, string[], Record<string, unknown>, Partial<Record<keyof PerfOptions, unknown>>]> = [
    ['--max-tokens 8 --max-tokens 16 sends 16', ['--max-tokens', '8', '--max-tokens', '16'], { 'max-tokens': [8, 16] }, { maxTokens: 16 }],
    ['--name a --name b is b', ['--name', 'a', '--name', 'b'], { name: ['a', 'b'] }, { name: 'b' }],
    ['--parallel 1 2 --parallel 4 is [4]', ['--parallel', '1', '2', '--parallel', '4'], { parallel: [1, 2, 4] }, { parallel: [4] }],
    ['-n 5 --number 7 8 is [7, 8]', ['-n', '5', '--number', '7', '8'], { number: [5, 7, 8], n: [5, 7, 8] }, { number: [7, 8] }],
    ['--rate=-1 --rate 2 3 is [2, 3] (negative numbers are values)', ['--rate=-1', '--rate', '2', '3'], { rate: [-1, 2, 3] }, { rate: [2, 3] }],
    ['--headers a=1 --headers b=2 keeps b only', ['--headers', 'a=1', '--headers', 'b=2'], { headers: ['a=1', 'b=2'] }, { headers: { b: '2' } }],
    ['--stop x y --stop z is [z]', ['--stop', 'x', 'y', '--stop', 'z'], { stop: ['x', 'y', 'z'] }, { stop: ['z'] }],
    ['--temperature 0.1 --temperature 0.7 is 0.7', ['--temperature', '0.1', '--temperature', '0.7'], { temperature: [0.1, 0.7] }, { temperature: 0.7 }],
  ];
  for (const [name, raw, parsed, want] of lastWins) {
    test(`repeated flags as argparse reads them: ${name}`, () => {
      const base = { _: ['perf'], model: 'm', api: 'openai', 'test-connection': true, 'open-loop': false, 'warmup-num': 0, 'sleep-interval': 5, 'log-every-n-query': 10, debug: false, dataset: 'openqa', 'dataset-offset': 0, stream: true, 'outputs-dir': 'outputs', timestamp: true };
      const o = perfOptionsFrom({ ...base, ...parsed } as Parameters<typeof perfOptionsFrom>[0], ['perf', '--model', 'm', ...raw]);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(o[k as keyof PerfOptions], v, k);
    });
  }
  test('flags without an effect here get a note, none is refused', () => {
    assert.deepEqual(perfNotes({ 'multi-turn': true, 'sla-auto-tune': true, 'tokenize-prompt': true }), []);
    assert.match(perfNotes({ 'num-workers': '4' }).join('\n'), /--num-workers: no effect in llmperf/);
    assert.match(perfNotes({ 'data-source': 'modelscope' }).join('\n'), /--data-source modelscope: llmperf never downloads/);
    assert.match(perfNotes({ 'image-patch-size': 14 }).join('\n'), /--image-patch-size: no effect here/);
  });
  test('the command line stored in the script has no secrets', () => {
    const line = commandLine(['perf', '--api-key', 'sk-1', '--headers', 'Authorization=Bearer x', 'X-A=b', '--model', 'm', '--wandb-api-key=w', '--prompt', 'two words']);
    assert.equal(line, "llmperf perf --api-key '[REDACTED]' --headers 'Authorization=[REDACTED]' X-A=b --model m '--wandb-api-key=[REDACTED]' --prompt 'two words'");
  });
});

describe('perf: output shapes', () => {
  test('grid table as tabulate prints it', () => {
    assert.equal(gridTable(['Key', 'Value'], [['Total requests', 10], ['Failed requests', 0]]), [
      '+-----------------+-------+',
      '| Key             | Value |',
      '+=================+=======+',
      '| Total requests  |    10 |',
      '+-----------------+-------+',
      '| Failed requests |     0 |',
      '+-----------------+-------+',
    ].join('\n'));
  });

  test('the generated script is an llmperf script: llmperf/llm, llmperf/data, options, no secrets', () => {
    const o = perfOptions({ dataset: 'openqa', datasetPath: 'open_qa.jsonl', apiKey: 'sk-secret', headers: { Authorization: 'Bearer sk-secret' }, maxTokens: 64 });
    const src = generateScript({ o, scenario: { executor: 'shared-iterations', vus: 2, iterations: 4 }, url: 'http://h/v1/chat/completions', api: 'openai', endpoint: 'chat', offset: 0, commandLine: 'llmperf perf --model m', baseDir: '/data' });
    assert.match(src, /^import llm from 'llmperf\/llm';$/m);
    assert.match(src, /^const data = dataset\("openqa", \{\n {2}"path": "\/data\/open_qa.jsonl",\n {2}"maxPromptLength": 131072\n\}\);$/m);
    assert.match(src, /"max_tokens": 64/);
    assert.doesNotMatch(src, /sk-secret/);
  });
});
