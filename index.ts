/** llmperf's programmatic API. */
export { run, errorExit, ExitCode, type RunOptions, type RunOutput, type SummaryData } from './runtime/api.ts';
export { startMockServer, type MockServer } from './runtime/mock/index.ts';
export { LlmperfError, ConfigError, ScriptError } from './runtime/errors.ts';
