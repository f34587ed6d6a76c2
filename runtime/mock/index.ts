/**
 * The built-in mock LLM server: the default benchmark target and the reference for timing
 * accuracy. See server.ts for routes, options.ts for options and the load-mode formula, faults.ts
 * for fault injection, stream.ts for the timing model, trace.ts for the trace file.
 */
export { startMockServer, type MockServer, type MockStats } from './server.ts';
export {
  parseMockOptions, resolveMockOptions, MOCK_DEFAULTS, FAULT_NAMES,
  type MockOptions, type FaultRates, type FaultName,
} from './options.ts';
