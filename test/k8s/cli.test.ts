// `llmperf k8s` through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { runCli } from '../helpers.ts';
import { PYYAML_SKIP, pyYamlLoadAll } from './pyyaml.ts';

test('llmperf k8s prints valid manifests for an example script', { skip: PYYAML_SKIP }, async () => {
  const r = await runCli(['k8s', 'scripts-examples/quickstart.ts', '-p', '2', '--image', 'llmperf:test', '--name', 'qs', '-n', 'load', '--', '--vus', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /shipping 1 file\(s\), \d+ KiB, in 1 ConfigMap\(s\):\n {2}quickstart\.ts \(script\)/);
  const docs = pyYamlLoadAll(r.stdout) as Array<{ kind: string; metadata: { name: string; namespace: string }; spec?: { template: { spec: { containers: Array<{ args?: string[] }> } } } }>;
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), ['ConfigMap/qs-script-0', 'Job/qs', 'Job/qs-merge']);
  new ConfigMap(docs[0] as never).validate();
  new Job(docs[1] as never).validate();
  new Job(docs[2] as never).validate();
  assert.ok(docs.every((d) => d.metadata.namespace === 'load'));
  assert.deepEqual(docs[1]!.spec!.template.spec.containers[0]!.args, ['/scripts/quickstart.ts', '--vus', '3']);
  assert.match(r.stdout, /^# llmperf distributed run "qs"[^]*kubectl -n load wait --for=condition=complete --timeout=24h job\/qs-merge/);
});

test('llmperf k8s without --image or with a bad --parallelism exits 104 with what to fix', async () => {
  const a = await runCli(['k8s', 'scripts-examples/quickstart.ts', '-p', '2']);
  assert.equal(a.code, 104);
  assert.match(a.stderr, /image/);
  const b = await runCli(['k8s', 'scripts-examples/quickstart.ts', '-p', '0', '--image', 'x']);
  assert.equal(b.code, 104);
  assert.match(b.stderr, /--parallelism 0: give a whole number of pods/);
  assert.equal(b.stdout, '');
});
