/**
 * The Kubernetes objects of a distributed run (pure: files and options in, plain objects out):
 *  - PersistentVolumeClaim (only with createPvc): the shared ReadWriteMany results volume
 *  - ConfigMap(s) `<name>-script-<k>`: the script, its local imports and data files (split over
 *    several ConfigMaps under the 1 MiB object limit, mounted together as one projected volume)
 *  - Job `<name>` (Indexed, completions = parallelism = N): pod i runs execution segment i/N
 *  - Job `<name>-merge`: waits for the N exit codes on the volume, runs `llmperf merge`
 */
import { ConfigError } from '../errors.ts';
import type { ScriptFiles } from './files.ts';
import { mergeScript, workerScript } from './shell.ts';

export interface K8sOptions {
  files: ScriptFiles;
  parallelism: number;
  image: string;
  /** Job name (DNS label, at most 52 characters); also the default run id */
  name: string;
  /** the run id: folder on the volume and the `run` label of remote-write series */
  run: string;
  namespace?: string;
  /** the claim holding run directories */
  pvc: string;
  /** create the claim with this size (e.g. 10Gi) */
  createPvc?: string;
  storageClass?: string;
  /** where the claim is mounted */
  resultsDir: string;
  /** script variables (-e K=V) */
  env: Record<string, string>;
  /** more `llmperf run` arguments (--url, --out ..., --model ...) */
  runArgs: string[];
  /** Secret whose keys become environment variables (LLMPERF_API_KEY, ...) */
  envFromSecret?: string;
  cpu?: string;
  memory?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  startTimeoutS: number;
  /** the merge Job's deadline (it waits for the workers) */
  mergeTimeoutS: number;
}

export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

export const SCRIPTS_DIR = '/scripts';
/** payload bytes per ConfigMap (the API's limit is 1 MiB per object, metadata included) */
export const CONFIGMAP_BUDGET = 900 * 1024;

/** the image runs as user `node` (1000): make the results volume writable for it where the volume type allows */
const POD_SECURITY = { fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

/** A DNS-label name from free text ("My Chat.ts" -> "my-chat-ts"), at most `max` characters. */
export function dnsName(s: string, max = 52): string {
  const n = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+/, '').slice(0, max).replace(/-+$/, '');
  return n || 'llmperf';
}

export function validateK8sOptions(o: K8sOptions): void {
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1 || o.parallelism > 1000) throw new ConfigError(`--parallelism ${o.parallelism}: give a whole number of pods from 1 to 1000`);
  if (!o.image) throw new ConfigError('--image: give the container image with llmperf (build it from the Dockerfile at the repository root)');
  if (/\s/.test(o.image)) throw new ConfigError(`--image ${JSON.stringify(o.image)}: an image reference has no spaces`);
  if (!DNS_LABEL.test(o.name) || o.name.length > 52) throw new ConfigError(`--name ${JSON.stringify(o.name)}: use lowercase letters, digits and '-', at most 52 characters, starting and ending with a letter or digit`);
  if (!DNS_LABEL.test(o.run) || o.run.length > 63) throw new ConfigError(`--run-id ${JSON.stringify(o.run)}: use lowercase letters, digits and '-' (at most 63)`);
  if (o.namespace !== undefined && (!DNS_LABEL.test(o.namespace) || o.namespace.length > 63)) throw new ConfigError(`--namespace ${JSON.stringify(o.namespace)}: not a valid namespace name`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.pvc) || o.pvc.length > 253) throw new ConfigError(`--pvc ${JSON.stringify(o.pvc)}: not a valid claim name`);
  if (o.createPvc !== undefined && !QUANTITY.test(o.createPvc)) throw new ConfigError(`--create-pvc ${JSON.stringify(o.createPvc)}: give a size such as 10Gi`);
  if (o.cpu !== undefined && !QUANTITY.test(o.cpu)) throw new ConfigError(`--cpu ${JSON.stringify(o.cpu)}: give a quantity such as 2 or 1500m`);
  if (o.memory !== undefined && !QUANTITY.test(o.memory)) throw new ConfigError(`--memory ${JSON.stringify(o.memory)}: give a quantity such as 2Gi`);
  if (!SAFE_PATH.test(o.resultsDir) || o.resultsDir === '/' || o.resultsDir.startsWith(SCRIPTS_DIR + '/') || o.resultsDir === SCRIPTS_DIR) {
    throw new ConfigError(`--out-dir ${JSON.stringify(o.resultsDir)}: give an absolute path in the pod such as /results (letters, digits, . _ - /; not ${SCRIPTS_DIR})`);
  }
  if (o.envFromSecret !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.envFromSecret)) throw new ConfigError(`--env-from-secret ${JSON.stringify(o.envFromSecret)}: not a valid Secret name`);
}

interface CmItem {
  key: string;
  path: string;
  text?: string;
  base64?: string;
  size: number;
}

function isText(b: Buffer): boolean {
  return !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

/** Files -> ConfigMap items, packed into as few ConfigMaps as the budget allows. */
export function packFiles(files: ScriptFiles): CmItem[][] {
  const groups: CmItem[][] = [];
  let cur: CmItem[] = [];
  let used = 0;
  files.files.forEach((f, i) => {
    const text = isText(f.content);
    const payload = text ? f.content.toString('utf8') : f.content.toString('base64');
    const size = Buffer.byteLength(payload);
    if (size > CONFIGMAP_BUDGET) {
      throw new ConfigError(
        `${f.abs} is ${Math.round(f.content.length / 1024)} KiB: a ConfigMap holds at most about ${CONFIGMAP_BUDGET / 1024} KiB per file. ` +
          'Put big data sets on the results volume or in the image (FROM the llmperf image, COPY them) and point the script at them with an absolute path or an -e variable.',
      );
    }
    const base = f.rel.split('/').pop()!.replace(/[^-._a-zA-Z0-9]/g, '_');
    const key = `f${String(i).padStart(3, '0')}-${base}`.slice(0, 253);
    if (used + size > CONFIGMAP_BUDGET && cur.length) {
      groups.push(cur);
      cur = [];
      used = 0;
    }
    cur.push({ key, path: f.rel, size, ...(text ? { text: payload } : { base64: payload }) });
    used += size;
  });
  if (cur.length) groups.push(cur);
  return groups;
}

export function buildManifests(o: K8sOptions): K8sObject[] {
  validateK8sOptions(o);
  const ns: { namespace?: string } = o.namespace ? { namespace: o.namespace } : {};
  const labels = (component: string) => ({ 'app.kubernetes.io/name': 'llmperf', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/component': component });
  const runDir = `${o.resultsDir.replace(/\/+$/, '')}/${o.run}`;
  const objects: K8sObject[] = [];

  if (o.createPvc) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: o.pvc, ...ns, labels: { 'app.kubernetes.io/name': 'llmperf' } },
      spec: {
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: o.createPvc } },
        ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
      },
    });
  }

  const groups = packFiles(o.files);
  const cmNames = groups.map((_, k) => `${o.name}-script-${k}`);
  groups.forEach((items, k) => {
    const data: Record<string, string> = {};
    const binaryData: Record<string, string> = {};
    for (const it of items) {
      if (it.text !== undefined) data[it.key] = it.text;
      else binaryData[it.key] = it.base64!;
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: cmNames[k]!, ...ns, labels: labels('script') },
      ...(Object.keys(data).length ? { data } : {}),
      ...(Object.keys(binaryData).length ? { binaryData } : {}),
    });
  });

  const volumes = [
    {
      name: 'scripts',
      projected: { sources: groups.map((items, k) => ({ configMap: { name: cmNames[k]!, items: items.map((it) => ({ key: it.key, path: it.path })) } })) },
    },
    { name: 'results', persistentVolumeClaim: { claimName: o.pvc } },
  ];
  const resources =
    o.cpu || o.memory
      ? {
          requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) },
          ...(o.memory ? { limits: { memory: o.memory } } : {}),
        }
      : undefined;
  const container = (name: string, script: string, args: string[], env: Array<Record<string, unknown>>, withScripts: boolean) => ({
    name,
    image: o.image,
    ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
    command: ['/bin/sh', '-c', script, `llmperf-${name}`],
    ...(args.length ? { args } : {}),
    env,
    ...(o.envFromSecret ? { envFrom: [{ secretRef: { name: o.envFromSecret } }] } : {}),
    ...(resources && withScripts ? { resources } : {}),
    volumeMounts: [...(withScripts ? [{ name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true }] : []), { name: 'results', mountPath: o.resultsDir }],
  });

  const runArgs = [`${SCRIPTS_DIR}/${o.files.entry}`, ...Object.entries(o.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), ...o.runArgs];
  const runEnv = [
    { name: 'LLMPERF_RUN_ID', value: o.run },
    { name: 'NO_COLOR', value: '1' },
  ];
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, ...ns, labels: labels('worker') },
    spec: {
      completionMode: 'Indexed',
      completions: o.parallelism,
      parallelism: o.parallelism,
      // a load test is not retried behind the user's back: one failed pod fails the Job
      backoffLimit: 0,
      template: {
        metadata: { labels: labels('worker') },
        spec: {
          restartPolicy: 'Never',
          securityContext: POD_SECURITY,
          // spread load generators over nodes when the cluster allows it
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels('worker') } },
          ],
          containers: [container('worker', workerScript({ n: o.parallelism, runDir, instancePrefix: o.name, startTimeoutS: o.startTimeoutS }), runArgs, runEnv, true)],
          volumes,
        },
      },
    },
  });
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${o.name}-merge`, ...ns, labels: labels('merge') },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: o.mergeTimeoutS,
      template: {
        metadata: { labels: labels('merge') },
        spec: {
          restartPolicy: 'Never',
          securityContext: POD_SECURITY,
          containers: [container('merge', mergeScript({ n: o.parallelism, runDir, jobName: o.name }), [], [{ name: 'NO_COLOR', value: '1' }], false)],
          volumes: [volumes[1]!],
        },
      },
    },
  });
  return objects;
}
