/** `llmperf k8s <script>`: prints the Kubernetes manifests of a distributed run (parsing only). */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { parseDuration } from '../runtime/options/duration.ts';
import { collectScriptFiles } from '../runtime/k8s/files.ts';
import { buildManifests, dnsName, packFiles, type K8sOptions } from '../runtime/k8s/manifests.ts';
import { toYamlDocuments } from '../runtime/k8s/yaml.ts';
import { ConfigError } from '../runtime/errors.ts';
import { redactArgv, redactEnv } from '../runtime/secrets.ts';
import { fail, parseKeyValues } from './common.ts';

export interface K8sArgs {
  script: string;
  parallelism: number;
  image: string;
  namespace?: string;
  name?: string;
  'run-id'?: string;
  pvc: string;
  'create-pvc'?: string;
  'storage-class'?: string;
  env?: string[];
  'out-dir': string;
  out?: string[];
  url?: string;
  model?: string;
  file?: string[];
  'env-from-secret'?: string;
  cpu?: string;
  memory?: string;
  'image-pull-policy'?: 'Always' | 'IfNotPresent' | 'Never';
  'start-timeout': string;
  'merge-timeout': string;
  /** `llmperf run` arguments after `--`, verbatim */
  '--'?: string[];
}

export function k8sBuilder(y: Argv): Argv<K8sArgs> {
  return y
    .positional('script', { type: 'string', describe: 'the test script (.ts or .js); its local imports and data files are shipped with it', demandOption: true })
    .option('parallelism', { alias: 'p', type: 'number', demandOption: true, describe: 'number of pods; pod i runs execution segment i/N of every scenario' })
    .option('image', { type: 'string', demandOption: true, describe: 'container image with llmperf (docker build -t IMG . at the repository root)' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'namespace of every object (default: kubectl\'s current one)' })
    .option('name', { type: 'string', describe: 'Job name (default: llmperf-<script>-<UTC time>)' })
    .option('run-id', { type: 'string', describe: 'run id: the folder on the volume and the run label of --out prometheus-rw series (default: the name)' })
    .option('pvc', { type: 'string', default: 'llmperf-results', describe: 'ReadWriteMany PersistentVolumeClaim shared by the pods for the run directories' })
    .option('create-pvc', { type: 'string', describe: 'also create the claim with this size, e.g. 10Gi' })
    .option('storage-class', { type: 'string', describe: 'storage class of the created claim (one that supports ReadWriteMany)' })
    .option('env', { alias: 'e', type: 'string', array: true, describe: 'script variable KEY=VALUE, read as __ENV.KEY (repeatable)' })
    .option('out-dir', { type: 'string', default: '/results', describe: 'where the claim is mounted in the pods; runs go to <out-dir>/<run-id>/<pod index>' })
    .option('out', { alias: 'o', type: 'string', array: true, describe: 'streaming output for every pod, e.g. prometheus-rw=http://prometheus:9090/api/v1/write (repeatable)' })
    .option('url', { type: 'string', describe: 'target base URL as the pods reach it, e.g. http://vllm.default.svc:8000/v1' })
    .option('model', { type: 'string', describe: 'model name sent in requests' })
    .option('file', { type: 'string', array: true, describe: 'ship this file too, beside the script (repeatable; data files the script names are found automatically)' })
    .option('env-from-secret', { type: 'string', describe: 'Secret whose keys become environment variables in the pods, e.g. one holding LLMPERF_API_KEY' })
    .option('cpu', { type: 'string', describe: 'CPU request per pod, e.g. 2' })
    .option('memory', { type: 'string', describe: 'memory request and limit per pod, e.g. 4Gi' })
    .option('image-pull-policy', { choices: ['Always', 'IfNotPresent', 'Never'] as const, describe: 'imagePullPolicy of the containers' })
    .option('start-timeout', { type: 'string', default: '10m', describe: 'how long pods wait for each other before starting anyway' })
    .option('merge-timeout', { type: 'string', default: '24h', describe: 'deadline of the merge Job, which waits for the test to finish' })
    .example('$0 k8s chat.ts -p 4 --image registry.example/llmperf:0.1 --create-pvc 5Gi --url http://vllm:8000/v1 | kubectl apply -f -', '4 pods, results on a new claim')
    .example('$0 k8s chat.ts -p 8 --image IMG --out prometheus-rw=http://prometheus:9090/api/v1/write -- --vus 16', 'extra `llmperf run` flags after --') as unknown as Argv<K8sArgs>;
}

function defaultName(script: string, now = new Date()): string {
  const base = dnsName(path.basename(script).replace(/\.[cm]?[jt]sx?$/, ''), 24);
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `llmperf-${base}-${t}`;
}

export async function k8sManifests(a: K8sArgs, log: (l: string) => void): Promise<string> {
  const files = await collectScriptFiles(a.script, a.file ?? []);
  const name = a.name ?? defaultName(a.script);
  const extra = a['--'] ?? [];
  const runArgs = [
    ...(a.url !== undefined ? ['--url', a.url] : []),
    ...(a.model !== undefined ? ['--model', a.model] : []),
    ...(a.out ?? []).flatMap((o) => ['--out', o]),
    ...extra,
  ];
  for (const x of extra) if (/^--(out-dir|execution-segment)/.test(x)) throw new ConfigError(`${x}: llmperf k8s sets this for each pod; leave it out`);
  const env = parseKeyValues(a.env, '--env');
  refuseSecrets(env, runArgs);
  const o: K8sOptions = {
    files,
    parallelism: a.parallelism,
    image: a.image,
    name,
    run: a['run-id'] ?? name,
    pvc: a.pvc,
    resultsDir: a['out-dir'],
    env,
    runArgs,
    startTimeoutS: Math.ceil(parseDuration(a['start-timeout'], '--start-timeout') / 1000),
    mergeTimeoutS: Math.max(1, Math.ceil(parseDuration(a['merge-timeout'], '--merge-timeout') / 1000)),
    ...(a.namespace !== undefined ? { namespace: a.namespace } : {}),
    ...(a['create-pvc'] !== undefined ? { createPvc: a['create-pvc'] } : {}),
    ...(a['storage-class'] !== undefined ? { storageClass: a['storage-class'] } : {}),
    ...(a['env-from-secret'] !== undefined ? { envFromSecret: a['env-from-secret'] } : {}),
    ...(a.cpu !== undefined ? { cpu: a.cpu } : {}),
    ...(a.memory !== undefined ? { memory: a.memory } : {}),
    ...(a['image-pull-policy'] !== undefined ? { imagePullPolicy: a['image-pull-policy'] } : {}),
  };
  const objects = buildManifests(o);
  const groups = packFiles(files).length;
  const kb = Math.ceil(files.files.reduce((s, f) => s + f.content.length, 0) / 1024);
  log(`llmperf k8s: shipping ${files.files.length} file(s), ${kb} KiB, in ${groups} ConfigMap(s):`);
  for (const f of files.files) log(`  ${f.rel} (${f.reason})`);
  const nsFlag = a.namespace ? ` -n ${a.namespace}` : '';
  const runDir = `${a['out-dir'].replace(/\/+$/, '')}/${o.run}`;
  const header = [
    `# llmperf distributed run "${o.run}": ${a.parallelism} pod(s) of job ${name}, then job ${name}-merge.`,
    `#   apply:   llmperf k8s ... | kubectl${nsFlag} apply -f -`,
    `#   watch:   kubectl${nsFlag} logs -f -l job-name=${name} --prefix --max-log-requests ${Math.max(5, a.parallelism)}`,
    `#   wait:    kubectl${nsFlag} wait --for=condition=complete --timeout=24h job/${name}-merge`,
    `#   results: ${runDir}/merged on claim ${a.pvc} (one run directory per pod beside it)`,
    '',
  ].join('\n');
  return header + toYamlDocuments(objects);
}

/**
 * Manifests are printed, applied and kept by the cluster in clear: a secret-looking -e value, flag,
 * header or URL password (runtime/secrets.ts's rule) is refused, naming where secrets go instead.
 */
function refuseSecrets(env: Record<string, string>, runArgs: readonly string[]): void {
  const how = 'manifests are stored in the cluster in clear: put the value in a Kubernetes Secret (kubectl create secret generic llmperf-keys --from-literal=LLMPERF_API_KEY=...) and give --env-from-secret llmperf-keys; a script reads other keys as __ENV.NAME (e.g. for a header in options.llm.headers)';
  const secretEnv = Object.keys(env).filter((k) => redactEnv({ [k]: env[k]! })[k] !== env[k]);
  if (secretEnv.length) throw new ConfigError(`-e ${secretEnv.join(', ')}: looks like a secret; ${how}`, 'SECRET_IN_MANIFEST');
  const red = redactArgv(runArgs);
  const i = red.findIndex((x, j) => x !== runArgs[j]);
  if (i >= 0) throw new ConfigError(`${runArgs[i]!.startsWith('-') ? runArgs[i]!.split('=')[0] : (runArgs[i - 1] ?? 'an argument')}: carries a secret (${red[i]}); ${how}`, 'SECRET_IN_MANIFEST');
}

export const k8sCommand: CommandModule<object, K8sArgs> = {
  command: 'k8s <script>',
  describe: 'Print Kubernetes manifests that run a script on N pods and merge the results',
  builder: k8sBuilder,
  handler: async (a) => {
    try {
      // yargs coerces what follows `--` (numbers...): take those arguments verbatim
      const dd = process.argv.indexOf('--');
      const yaml = await k8sManifests({ ...a, '--': dd >= 0 ? process.argv.slice(dd + 1) : [] }, (l) => process.stderr.write(l + '\n'));
      process.stdout.write(yaml);
    } catch (e) {
      fail(e);
    }
  },
};
