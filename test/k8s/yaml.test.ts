// The YAML emitter: exact output for the tricky cases, and a round trip through a real YAML 1.1
// parser (PyYAML, as kubectl's parser is YAML 1.1-flavoured) when python3-yaml is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalarString, toYaml, toYamlDocuments } from '../../runtime/k8s/yaml.ts';
import { PYYAML_SKIP, pyYamlLoadAll } from './pyyaml.ts';

test('scalars that YAML would read as something else are quoted', () => {
  for (const s of ['', 'true', 'False', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'null', 'Null', '~', '123', '1.5', '0x1f', '0o17', '1e3', '.5', '.inf', '-1', '+1', '1:30', '2025-01-01', '1_000']) {
    assert.equal(scalarString(s), JSON.stringify(s), s);
  }
  for (const s of ['-c', '--out', '- item', 'a: b', 'a #b', '#comment', 'key:', '[x]', '{x}', '*alias', '&anchor', '!tag', '|', '>', "'q'", '"q"', '%x', '@x', '`x`', ' lead', 'trail ', 'a b', 'tab\there', 'é']) {
    assert.match(scalarString(s), /^"/, s);
  }
  for (const s of ['llmperf', 'app.kubernetes.io/name', '/bin/sh', 'http://p:9090/api/v1/write', 'prometheus-rw=http://p:9090/api/v1/write', 'A=1', 'f000-main.ts', 'IfNotPresent', 'x_y']) {
    assert.equal(scalarString(s), s, s);
  }
});

test('escapes: control characters, line separators, lone surrogates', () => {
  assert.equal(scalarString('a\u0007b'), '"a\\u0007b"');
  assert.equal(scalarString('a\u2028b'), '"a\\u2028b"');
  assert.equal(scalarString('a\u0085b'), '"a\\u0085b"');
  assert.equal(scalarString('bom\ufeff'), '"bom\\ufeff"');
  assert.equal(scalarString('x\ud800'), '"x\\ud800"');
  assert.equal(scalarString('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
});

test('exact layout: maps, sequences of maps, nested sequences, empty containers, block strings', () => {
  const y = toYaml({
    a: 1,
    b: [{ name: 'x', v: 'true' }, 'plain', [1, 2], {}, []],
    c: { d: null, e: false, f: undefined },
    script: 'line 1\n  indented\n\nlast\n',
    strip: 'no newline\nat end',
    keep: 'two\n\n',
    lead: ' starts with space\nx',
  });
  assert.equal(
    y,
    [
      'a: 1',
      'b:',
      '  - name: x',
      '    v: "true"',
      '  - plain',
      '  - - 1',
      '    - 2',
      '  - {}',
      '  - []',
      'c:',
      '  d: null',
      '  e: false',
      'script: |',
      '  line 1',
      '    indented',
      '',
      '  last',
      'strip: |-',
      '  no newline',
      '  at end',
      'keep: |+',
      '  two',
      '',
      'lead: " starts with space\\nx"',
      '',
    ].join('\n'),
  );
  assert.equal(toYamlDocuments([{ a: 1 }, { b: 2 }]), '---\na: 1\n---\nb: 2\n');
  assert.throws(() => toYaml({ n: NaN }), /\$\.n is NaN/);
});

test('round trip through PyYAML: what we write is what a parser reads', { skip: PYYAML_SKIP }, () => {
  const tricky = [
    '', ' ', 'true', 'yes', 'null', '~', '0', '007', '1.0', '-', '--', '---', '...', '- a', '? q', ': v', 'a: b', 'a #c', '#', '%YAML', '@', '`',
    'x\ny', 'x\n', 'x\n\n\n', '\nleading newline', '  indented\nsecond', 'tab\tinside\n\tindented tab line\n', 'trailing spaces  \nline  \n',
    '---\nlooks like a document\n...\n', '# not a comment\nkey: not a map\n- not a list\n', 'unicode é 中文 🙂\nline', 'crlf\r\nline', 'nul\u0000byte',
    'del\u007f', 'nel\u0085x', 'ls\u2028x', 'bom\ufeffx', '"quoted"', "'single'", '\\backslash\\', 'a:b', 'http://h:1/p?q=1&r=2#f', '=', '<<', '!!str x', '&a', '*a',
    'ends with colon:', '{"json": true}', '[1, 2]', ' ', '\t', '1:30', '2001-12-14t21:59:43.10-05:00', '0b101', '+.inf', '.NaN', 'Y', 'N', 'On',
  ];
  const doc = {
    list: tricky,
    map: Object.fromEntries(tricky.filter((k) => k !== '').map((k, i) => [k, i % 2 ? k : { v: k, n: i, b: i % 3 === 0 }])),
    nested: [[['deep', ['er']]], [{ a: [{ b: 'c\nd' }] }]],
    numbers: [0, -1, 1.5, 1e21, 2 ** 53, -0.25],
    empty: { o: {}, a: [] },
  };
  const [back] = pyYamlLoadAll(toYaml(doc));
  assert.deepEqual(back, doc);
  const docs = [{ a: 'x\n' }, ['---', '...'], 'top\nlevel\n', 42];
  assert.deepEqual(pyYamlLoadAll(toYamlDocuments(docs)), docs);
});
