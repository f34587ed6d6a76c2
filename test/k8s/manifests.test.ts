// `llmperf k8s`: the files shipped with a script, and manifests valid against the Kubernetes API
// schemas (kubernetes-models' generated validators of the official OpenAPI definitions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { k8sManifests, type K8sArgs } from '../../cli/k8s.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { collectScriptFiles } from '../../runtime/k8s/files.ts';
import { buildManifests, CONFIGMAP_BUDGET, type K8sObject, type K8sOptions } from '../../runtime/k8s/manifests.ts';
import { PYYAML_SKIP, pyYamlLoadAll } from './pyyaml.ts';

/** A project: scripts/chat.ts importing ../shared/util.ts and a JSON file, naming data files. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-k8s-'));
  for (const d of ['scripts/data', 'shared', 'unrelated']) mkdirSync(path.join(dir, d), { recursive: true });
  writeFileSync(
    path.join(dir, 'scripts/chat.ts'),
    `import llm from 'llmperf/llm';
import { open } from 'llmperf';
import { jsonl } from 'llmperf/data';
import { pick } from '../shared/util.ts';
import cfg from './cfg.json';
const prompts = jsonl('./data/prompts.jsonl');
const system = open("data/system.txt");
const missing = './data/not-there.txt';
export const options = { vus: 1, iterations: 1 };
export default async function () { await llm.chat({ messages: [{ role: 'system', content: system }, { role: 'user', content: pick(prompts.next()) + cfg.suffix }] }); }
`,
  );
  writeFileSync(path.join(dir, 'shared/util.ts'), 'export function pick(x: unknown): string { return String(x); }\n');
  writeFileSync(path.join(dir, 'scripts/cfg.json'), '{"suffix": "!"}\n');
  writeFileSync(path.join(dir, 'scripts/data/prompts.jsonl'), '{"prompt":"hi"}\n');
  writeFileSync(path.join(dir, 'scripts/data/system.txt'), 'You are terse.\n');
  writeFileSync(path.join(dir, 'scripts/data/unused.jsonl'), '{}\n');
  writeFileSync(path.join(dir, 'unrelated/x.txt'), 'x\n');
  return dir;
}

function validate(o: K8sObject): void {
  const m = o.kind === 'Job' ? new Job(o as never) : o.kind === 'ConfigMap' ? new ConfigMap(o as never) : o.kind === 'PersistentVolumeClaim' ? new PersistentVolumeClaim(o as never) : undefined;
  assert.ok(m, `unexpected kind ${o.kind}`);
  m.validate(); // throws with the JSON path of the first schema violation
}

function baseOptions(files: K8sOptions['files'], over: Partial<K8sOptions> = {}): K8sOptions {
  return { files, parallelism: 4, image: 'registry.example/llmperf:0.1', name: 'llmperf-chat-1', run: 'llmperf-chat-1', pvc: 'llmperf-results', resultsDir: '/results', env: {}, runArgs: [], startTimeoutS: 600, mergeTimeoutS: 86400, ...over };
}

test('the script, its imports and the data files it names are shipped; nothing else', async () => {
  const dir = project();
  const f = await collectScriptFiles(path.join(dir, 'scripts/chat.ts'), [path.join(dir, 'unrelated/x.txt')]);
  assert.equal(f.root, dir, 'common folder of scripts/ and shared/');
  assert.equal(f.entry, 'scripts/chat.ts');
  assert.deepEqual(
    f.files.map((x) => [x.rel, x.reason]),
    [
      ['scripts/cfg.json', 'import'],
      ['scripts/chat.ts', 'script'],
      ['scripts/data/prompts.jsonl', 'data'],
      ['scripts/data/system.txt', 'data'],
      ['shared/util.ts', 'import'],
      ['unrelated/x.txt', 'explicit'],
    ],
  );
  await assert.rejects(collectScriptFiles(path.join(dir, 'scripts/chat.ts'), [path.join(dir, 'nope.txt')]), /--file .*nope\.txt: no such file/);
  await assert.rejects(collectScriptFiles(path.join(dir, 'scripts/none.ts')), /script not found/);
});

test('manifests validate against the Kubernetes schemas and say what the brief asks', async () => {
  const dir = project();
  const files = await collectScriptFiles(path.join(dir, 'scripts/chat.ts'));
  const objs = buildManifests(baseOptions(files, { namespace: 'load', createPvc: '5Gi', storageClass: 'nfs', env: { MODE: 'short' }, runArgs: ['--url', 'http://vllm:8000/v1', '--out', 'prometheus-rw=http://prom:9090/api/v1/write'], envFromSecret: 'llm-creds', cpu: '2', memory: '4Gi' }));
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['PersistentVolumeClaim/llmperf-results', 'ConfigMap/llmperf-chat-1-script-0', 'Job/llmperf-chat-1', 'Job/llmperf-chat-1-merge']);
  for (const o of objs) {
    validate(o);
    assert.equal(o.metadata.namespace, 'load');
  }
  const pvc = objs[0] as unknown as { spec: { accessModes: string[]; resources: { requests: { storage: string } }; storageClassName: string } };
  assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'nfs' });

  const cm = objs[1] as unknown as { data: Record<string, string> };
  for (const k of Object.keys(cm.data)) assert.match(k, /^[-._a-zA-Z0-9]+$/, 'ConfigMap key syntax');
  assert.ok(Object.values(cm.data).includes('You are terse.\n'));

  const job = objs[2] as unknown as { spec: { completionMode: string; completions: number; parallelism: number; backoffLimit: number; template: { spec: { restartPolicy: string; containers: Array<{ command: string[]; args: string[]; env: Array<{ name: string; value: string }>; envFrom: unknown; resources: unknown; volumeMounts: Array<{ mountPath: string }> }>; volumes: Array<{ name: string; projected?: { sources: Array<{ configMap: { name: string; items: Array<{ key: string; path: string }> } }> } }> } } } };
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.completions, 4);
  assert.equal(job.spec.parallelism, 4);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  const c = job.spec.template.spec.containers[0]!;
  assert.deepEqual(c.command.slice(0, 2), ['/bin/sh', '-c']);
  assert.match(c.command[2]!, /--execution-segment "\$FROM:\$TO" --execution-segment-sequence "0,1\/4,2\/4,3\/4,1" --out-dir "\$OUT"/);
  assert.match(c.command[2]!, /JOB_COMPLETION_INDEX/);
  assert.deepEqual(c.args, ['/scripts/scripts/chat.ts', '-e', 'MODE=short', '--url', 'http://vllm:8000/v1', '--out', 'prometheus-rw=http://prom:9090/api/v1/write']);
  assert.deepEqual(c.env.find((e) => e.name === 'LLMPERF_RUN_ID'), { name: 'LLMPERF_RUN_ID', value: 'llmperf-chat-1' });
  assert.deepEqual(c.envFrom, [{ secretRef: { name: 'llm-creds' } }]);
  assert.deepEqual(c.resources, { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } });
  assert.deepEqual(c.volumeMounts.map((m) => m.mountPath), ['/scripts', '/results']);
  const items = job.spec.template.spec.volumes[0]!.projected!.sources[0]!.configMap.items;
  assert.deepEqual(items.map((i) => i.path), ['scripts/cfg.json', 'scripts/chat.ts', 'scripts/data/prompts.jsonl', 'scripts/data/system.txt', 'shared/util.ts']);
  for (const i of items) assert.ok(i.key in cm.data);

  // the validator is live: a typo in an enum or a wrong type is caught
  assert.throws(() => validate({ ...objs[2]!, spec: { ...(objs[2]!.spec as object), completionMode: 'Indexd' } }), /completionMode must be equal to one of the allowed values/);
  assert.throws(() => validate({ ...objs[1]!, data: { k: 1 } }), /data\/k must be string/);

  const merge = objs[3] as unknown as { spec: { activeDeadlineSeconds: number; template: { spec: { containers: Array<{ command: string[] }> } } } };
  assert.equal(merge.spec.activeDeadlineSeconds, 86400);
  assert.match(merge.spec.template.spec.containers[0]!.command[2]!, /exec llmperf merge "\$RUN"\/\[0-9\]\* --out "\$RUN\/merged"/);
});

test('binary files go to binaryData; big sets split over ConfigMaps; a file over the limit is refused', async () => {
  const dir = project();
  const bin = Buffer.from([0, 1, 2, 255, 254]);
  writeFileSync(path.join(dir, 'scripts/data/blob.bin'), bin);
  const big = (n: number) => 'x'.repeat(n) + '\n';
  writeFileSync(path.join(dir, 'scripts/data/big1.txt'), big(CONFIGMAP_BUDGET * 0.6));
  writeFileSync(path.join(dir, 'scripts/data/big2.txt'), big(CONFIGMAP_BUDGET * 0.6));
  const files = await collectScriptFiles(path.join(dir, 'scripts/chat.ts'), ['blob.bin', 'big1.txt', 'big2.txt'].map((f) => path.join(dir, 'scripts/data', f)));
  const objs = buildManifests(baseOptions(files));
  const cms = objs.filter((o) => o.kind === 'ConfigMap') as unknown as Array<{ metadata: { name: string }; data?: Record<string, string>; binaryData?: Record<string, string> }>;
  assert.equal(cms.length, 2);
  for (const cm of cms) {
    validate(cm as unknown as K8sObject);
    const size = Object.values(cm.data ?? {}).concat(Object.values(cm.binaryData ?? {})).reduce((a, v) => a + Buffer.byteLength(v), 0);
    assert.ok(size <= CONFIGMAP_BUDGET, `${cm.metadata.name}: ${size} bytes`);
  }
  const binEntry = cms.flatMap((cm) => Object.entries(cm.binaryData ?? {}));
  assert.equal(binEntry.length, 1);
  assert.deepEqual(Buffer.from(binEntry[0]![1], 'base64'), bin);
  const job = objs.find((o) => o.kind === 'Job')! as unknown as { spec: { template: { spec: { volumes: Array<{ projected?: { sources: Array<{ configMap: { name: string } }> } }> } } } };
  assert.deepEqual(job.spec.template.spec.volumes[0]!.projected!.sources.map((s) => s.configMap.name), ['llmperf-chat-1-script-0', 'llmperf-chat-1-script-1']);

  writeFileSync(path.join(dir, 'scripts/data/huge.txt'), big(CONFIGMAP_BUDGET + 10));
  const huge = await collectScriptFiles(path.join(dir, 'scripts/chat.ts'), [path.join(dir, 'scripts/data/huge.txt')]);
  assert.throws(() => buildManifests(baseOptions(huge)), (e: unknown) => e instanceof ConfigError && /huge\.txt is \d+ KiB.*results volume or in the image/.test((e as Error).message));
});

test('bad options are refused with what to fix', async () => {
  const files = await collectScriptFiles(path.join(project(), 'scripts/chat.ts'));
  for (const [over, re] of [
    [{ parallelism: 0 }, /--parallelism 0: give a whole number/],
    [{ parallelism: 2.5 }, /--parallelism 2.5/],
    [{ image: '' }, /--image: give the container image/],
    [{ name: 'Bad_Name' }, /--name "Bad_Name": use lowercase/],
    [{ name: 'x'.repeat(53) }, /at most 52/],
    [{ namespace: 'NS' }, /--namespace "NS"/],
    [{ createPvc: 'ten gigs' }, /--create-pvc "ten gigs": give a size such as 10Gi/],
    [{ memory: '4GB' }, /--memory "4GB"/],
    [{ resultsDir: 'results' }, /--out-dir "results": give an absolute path/],
    [{ resultsDir: '/res ults' }, /--out-dir/],
    [{ resultsDir: '/scripts' }, /not \/scripts/],
  ] as Array<[Partial<K8sOptions>, RegExp]>) {
    assert.throws(() => buildManifests(baseOptions(files, over)), (e: unknown) => e instanceof ConfigError && re.test((e as Error).message), JSON.stringify(over));
  }
});

test('the printed YAML parses back to the same objects (PyYAML)', { skip: PYYAML_SKIP }, async () => {
  const dir = project();
  const script = path.join(dir, 'scripts/chat.ts');
  const args: K8sArgs = { script, parallelism: 3, image: 'llmperf:dev', name: 'rt', pvc: 'shared', 'out-dir': '/results', 'start-timeout': '2m', 'merge-timeout': '1h', env: ['A=1', 'QUOTE="x: y"'], out: ['prometheus-rw=http://p:9090/api/v1/write,interval=2s'], '--': ['--vus', '007', '--tag', 'note=yes'] };
  const logs: string[] = [];
  const yaml = await k8sManifests(args, (l) => logs.push(l));
  assert.match(yaml, /^# llmperf distributed run "rt": 3 pod\(s\)/);
  const docs = pyYamlLoadAll(yaml) as K8sObject[];
  const files = await collectScriptFiles(script);
  const want = buildManifests(baseOptions(files, { parallelism: 3, image: 'llmperf:dev', name: 'rt', run: 'rt', pvc: 'shared', startTimeoutS: 120, mergeTimeoutS: 3600, env: { A: '1', QUOTE: '"x: y"' }, runArgs: ['--out', 'prometheus-rw=http://p:9090/api/v1/write,interval=2s', '--vus', '007', '--tag', 'note=yes'] }));
  assert.deepEqual(docs, JSON.parse(JSON.stringify(want)));
  for (const d of docs) validate(d);
  assert.match(logs.join('\n'), /shipping 5 file\(s\)[^]*scripts\/data\/system\.txt \(data\)/);
  await assert.rejects(k8sManifests({ ...args, '--': ['--out-dir', '/x'] }, () => {}), /--out-dir: llmperf k8s sets this for each pod/);
});
