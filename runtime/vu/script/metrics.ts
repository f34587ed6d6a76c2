/** `llmperf/metrics` (types/metrics.d.ts): custom metrics, defined on the host in init code. */
import type { SampleTags } from '../../../types/metrics.d.ts';
import type { MetricType } from '../../metrics/types.ts';
import { tagsArg } from './args.ts';
import type { MetricsModule } from './modules.ts';
import type { VuScope } from './scope.ts';

export function makeMetrics(vu: VuScope): MetricsModule {
  const H = vu.H;

  class Metric {
    // assigned after the host accepted the definition (no class fields: they would come first)
    declare name: string;
    declare type: MetricType;
    constructor(type: MetricType, name: string, isTime: boolean) {
      if (!vu.initPhase) throw new Error('new ' + type[0]!.toUpperCase() + type.slice(1) + '("' + name + '") must be called in init code (at the top level of the script), not inside a function that runs per iteration');
      H.define(String(name), type, !!isTime);
      this.name = String(name);
      this.type = type;
    }

    add(value: number | boolean, tags?: SampleTags): boolean {
      let v: unknown = value;
      if (typeof v === 'boolean') v = v ? 1 : 0;
      v = Number(v);
      if (!Number.isFinite(v)) throw new TypeError(this.name + '.add(' + String(value) + '): the value must be a finite number');
      H.metric(this.name, v as number, tagsArg(tags, this.name + '.add'), vu.group);
      return true;
    }
  }
  class Counter extends Metric {
    declare type: 'counter';
    constructor(name: string) {
      super('counter', name, false);
    }
  }
  class Gauge extends Metric {
    declare type: 'gauge';
    constructor(name: string) {
      super('gauge', name, false);
    }
  }
  class Rate extends Metric {
    declare type: 'rate';
    constructor(name: string) {
      super('rate', name, false);
    }
  }
  class Trend extends Metric {
    declare type: 'trend';
    constructor(name: string, isTime?: boolean) {
      super('trend', name, !!isTime);
    }
  }
  return { Counter, Gauge, Rate, Trend };
}
