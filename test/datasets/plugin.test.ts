import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../runtime/errors.ts';
import { loadDataset } from '../../runtime/datasets/index.ts';
import { loadTokenizer } from '../../runtime/tokenizers/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));

async function rejectsConfig(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, 104);
    assert.match(err.message, pattern);
    return true;
  });
}

const tempPlugins = () => readdirSync(tmpdir()).filter((n) => n.startsWith('llmperf-plugin-')).length;

describe('custom dataset plugins', () => {
  it('bundles a .ts plugin with its imports, passes path, options and tokenizer, and reads its items', async () => {
    const before = tempPlugins();
    const tokenizer = await loadTokenizer('tiktoken:cl100k_base');
    const ds = await loadDataset({
      kind: './plugin.ts',
      path: 'plugin_topics.txt',
      baseDir: FIXTURES,
      tokenizer,
      options: { style: 'pirate' },
    });
    assert.equal(ds.name, 'topics');
    assert.equal(ds.size, 3);
    const first = ds.get(0);
    assert.deepEqual(first.messages, [
      { role: 'system', content: 'Answer in a pirate style.' },
      { role: 'user', content: 'Tell me something interesting about volcanoes.' },
    ]);
    assert.equal(first.outputTokens, 64);
    assert.deepEqual(first.meta, { line: 1, file: 'plugin_topics.txt', tokenizer: 'tiktoken:cl100k_base' });
    assert.equal(first.inputTokens, tokenizer.count('Answer in a pirate style.') + tokenizer.count('Tell me something interesting about volcanoes.'));
    assert.equal(ds.get(2).meta!.line, 4, 'blank lines skipped, numbering kept');
    assert.equal(ds.get(3), ds.get(0), 'cycles');
    assert.equal(tempPlugins(), before, 'the temporary bundle is removed');
  });

  it('applies the length filter to plugin items', async () => {
    const ds = await loadDataset({ kind: 'plugin.ts', path: 'plugin_topics.txt', baseDir: FIXTURES, maxPromptLength: 70 });
    assert.equal(ds.size, 2, 'the "history of tea" item has 80 characters, the others 70');
  });

  it('reports ctx.fail() errors from the plugin as they are', async () => {
    await rejectsConfig(loadDataset({ kind: './plugin.ts', baseDir: FIXTURES }), /^topics plugin: pass the topics file/);
    await rejectsConfig(loadDataset({ kind: './plugin.ts', path: 'line_by_line.txt', baseDir: FIXTURES }), /line_by_line\.txt:1: expected "topic\|max_tokens"/);
  });

  it('rejects a module without load(), an invalid item, a syntax error and a missing file', async () => {
    await rejectsConfig(loadDataset({ kind: './plugin_no_load.ts', baseDir: FIXTURES }), /plugin_no_load\.ts: a dataset plugin must `export default \{ name\?: string, load\(ctx\)/);
    await rejectsConfig(loadDataset({ kind: './plugin_bad_item.ts', baseDir: FIXTURES }), /plugin_bad_item\.ts: item 2: an item needs "prompt", "messages", "body" or "turns"/);
    await rejectsConfig(loadDataset({ kind: './plugin_syntax_error.js', baseDir: FIXTURES }), /plugin_syntax_error\.js does not build:\n.*plugin_syntax_error\.js:4:\d+: Unterminated string/);
    await rejectsConfig(loadDataset({ kind: './missing_plugin.ts', baseDir: FIXTURES }), /dataset plugin not found: .*missing_plugin\.ts/);
  });
});
