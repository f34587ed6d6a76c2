/** `llmperf/execution` (types/execution.d.ts): where the running iteration is; test.abort(). */
import { LlmperfAbort } from './errors.ts';
import type { ExecutionModule } from './modules.ts';
import type { VuScope } from './scope.ts';

export function makeExecution(vu: VuScope): ExecutionModule {
  const H = vu.H;
  return {
    vu: {
      get idInTest() {
        return vu.id;
      },
      get idInInstance() {
        return vu.id;
      },
      get iterationInInstance() {
        return vu.iter;
      },
      get iterationInScenario() {
        return vu.info.iterInScenario;
      },
      get tags() {
        return Object.assign({}, vu.info.scenarioTags);
      },
    },
    scenario: {
      get name() {
        return vu.info.scenario;
      },
      get executor() {
        return vu.info.executor;
      },
      get startTime() {
        return vu.info.scenarioStartTime;
      },
      get iterationInTest() {
        return vu.info.iterInTest;
      },
      get progress() {
        return H.execInfo('progress').progress;
      },
      get replay() {
        return vu.info.replay;
      },
    },
    instance: {
      get vusActive() {
        return H.execInfo('instance').vusActive;
      },
      get vusInitialized() {
        return H.execInfo('instance').vusInitialized;
      },
      get iterationsCompleted() {
        return H.execInfo('instance').iterationsCompleted;
      },
      get iterationsInterrupted() {
        return H.execInfo('instance').iterationsInterrupted;
      },
      get currentTestRunDuration() {
        return H.execInfo('instance').currentTestRunDuration;
      },
    },
    test: {
      abort(msg) {
        const m = msg === undefined ? 'test.abort() called' : String(msg);
        H.abort(m);
        throw new LlmperfAbort(m);
      },
    },
  };
}
