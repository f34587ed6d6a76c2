// One declaration per option (runtime/options/table.ts): the environment layer, the CLI layer, the
// defaults, the flags of every command and docs/options.md all agree with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OPTION_TABLE, type OptionSpec } from '../../runtime/options/table.ts';
import { envLayer, resolveWithSources } from '../../runtime/options/resolve.ts';
import type { Overrides } from '../../runtime/options/resolve.ts';
import { ROOT, runCli } from '../helpers.ts';

const table = OPTION_TABLE as readonly OptionSpec[];

/** A value of the right kind for an option, as text (env/flag) and as the resolved value. */
function sample(spec: OptionSpec): { text: string; value: unknown } {
  switch (spec.parse) {
    case 'int':
      return { text: '3', value: 3 };
    case 'bool':
      return { text: 'false', value: false };
    case 'list':
      return { text: 'avg,p(99)', value: ['avg', 'p(99)'] };
    case 'keyValues':
      return { text: 'x-k=v', value: { 'x-k': 'v' } };
    case 'duration':
      return { text: '7s', value: '7s' };
    case 'stages':
      return { text: '1s:2', value: [{ duration: '1s', target: 2 }] };
    default:
      return { text: spec.path === 'summaryTimeUnit' ? 'ms' : spec.path === 'llm.url' ? 'http://127.0.0.1:9/v1' : 'x', value: spec.path === 'summaryTimeUnit' ? 'ms' : spec.path === 'llm.url' ? 'http://127.0.0.1:9/v1' : 'x' };
  }
}

const get = (o: unknown, p: string) => p.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

test('every environment variable of the table sets its option, and its source is "env"', () => {
  for (const spec of table.filter((s) => s.env)) {
    const { text, value } = sample(spec);
    assert.deepEqual(get(envLayer({ [spec.env!]: text }), spec.path), value, spec.env);
    const r = resolveWithSources({}, { [spec.env!]: text }, {});
    assert.equal(r.sources[spec.path], 'env', spec.env);
  }
});

test('every Overrides key of the table sets its option from the cli layer; defaults come from the table', () => {
  for (const spec of table) {
    const { value } = sample(spec);
    const r = resolveWithSources({}, {}, { [spec.override]: value } as Overrides);
    const src = spec.parse === 'keyValues' ? r.sources[`${spec.path}.x-k`] : r.sources[spec.path];
    assert.equal(src, 'cli', spec.path);
  }
  const d = resolveWithSources({}, {}, {});
  for (const spec of table.filter((s) => s.default !== undefined)) assert.equal(d.sources[spec.path], 'default', spec.path);
  assert.equal(d.options.llm.model, 'mock-llm');
  assert.equal(d.options.llm.totalTimeoutMs, 600_000);
});

test('docs/options.md lists the table: every option with its flag, variable and Overrides key', () => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'options.md'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([a-zA-Z.]+)` \| (.*) \| (.*) \| (.*) \| (.*) \|$/.exec(line);
    if (m) rows.set(m[1]!, [m[2]!, m[3]!, m[4]!]);
  }
  for (const spec of table) {
    const row = rows.get(spec.path);
    assert.ok(row, `docs/options.md has no row for ${spec.path}`);
    const [flag, env, ov] = row;
    assert.equal(flag!.includes(`--${spec.flag}`), spec.flag !== undefined, `${spec.path} flag`);
    assert.equal(env!.includes(`\`${spec.env}\``), spec.env !== undefined, `${spec.path} env`);
    assert.ok(ov!.includes(`\`${spec.override}\``), `${spec.path} overrides key`);
  }
  assert.equal(rows.size, table.length, 'no row for an option the table lacks');
});

test('run --help lists every flag of the table; sweep --help the target flags', async () => {
  const run = await runCli(['run', '--help']);
  const sweep = await runCli(['sweep', '--help']);
  for (const spec of table.filter((s) => s.flag)) {
    assert.match(run.stdout, new RegExp(`--${spec.flag}(?![\\w-])`), `run --help: --${spec.flag}`);
    assert.equal(new RegExp(`--${spec.flag}(?![\\w-])`).test(sweep.stdout), spec.group === 'target', `sweep --help: --${spec.flag}`);
  }
});
