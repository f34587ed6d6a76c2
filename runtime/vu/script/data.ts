/**
 * open() of `llmperf` and the datasets of `llmperf/data` (types/data.d.ts): files are read and
 * datasets loaded on the host, in init code only.
 */
import type { Dataset, DatasetItem } from '../../../types/data.d.ts';
import { optionsArg } from './args.ts';
import type { CoreModule, DataModule } from './modules.ts';
import type { VuScope } from './scope.ts';

export function makeOpen(vu: VuScope): CoreModule['open'] {
  const H = vu.H;
  function open(path: string): string;
  function open(path: string, mode: 'b'): ArrayBuffer;
  function open(path: string, mode?: 'b'): string | ArrayBuffer {
    if (!vu.initPhase) throw new Error('open("' + path + '") can only be called in init code (at the top level of the script)');
    return H.open(String(path), mode === 'b');
  }
  return open;
}

/** k6's SharedArray is called with `new`; a plain function whose returned array `new` yields. */
type SharedArrayFunction = {
  new <T>(name: string, fn: () => T[]): readonly T[];
};

export function makeData(vu: VuScope): DataModule {
  const H = vu.H;

  /** `T`: what next() returns, as the kind promises it (the host cannot tell). */
  function makeDataset<T extends string | DatasetItem>(kind: string, args: Record<string, unknown>): Dataset<T> {
    if (!vu.initPhase) throw new Error('datasets must be loaded in init code (at the top level of the script)');
    const h = H.dataset(kind, args);
    return {
      name: h.name,
      size: h.size,
      get length() {
        return h.size;
      },
      next() {
        const it = H.datasetNext(h.id);
        return (it && typeof it === 'object' && typeof it.prompt === 'string' ? it.prompt : it) as T;
      },
      nextItem() {
        return H.datasetNext(h.id);
      },
      get(i) {
        return H.datasetGet(h.id, Number(i));
      },
      prompt(i) {
        const it = H.datasetGet(h.id, Number(i));
        return it && it.prompt;
      },
    };
  }
  const pathDataset =
    <T extends string | DatasetItem>(kind: string) =>
    (path: string, opts?: object): Dataset<T> =>
      makeDataset<T>(kind, optionsArg(opts, { path: String(path) }));

  function SharedArray<T>(name: string, fn: () => T[]): readonly T[] {
    if (!vu.initPhase) throw new Error('SharedArray must be created in init code');
    const arr = fn();
    if (!Array.isArray(arr)) throw new TypeError('SharedArray: the function must return an array');
    return Object.freeze(arr.slice());
  }

  return {
    openqa: pathDataset<string>('openqa'),
    longalpaca: pathDataset<string>('longalpaca'),
    lineByLine: pathDataset('line_by_line'),
    sharegpt: pathDataset<string>('sharegpt'),
    jsonl: pathDataset('jsonl'),
    random: (opts) => makeDataset<string>('random', optionsArg(opts)),
    sharedPrefix: (opts) => makeDataset<string>('shared_prefix', optionsArg(opts)),
    dataset: (kind, opts) => makeDataset(String(kind), optionsArg(opts)),
    SharedArray: SharedArray as unknown as SharedArrayFunction,
  };
}
