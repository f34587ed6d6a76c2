/** The node flags llmperf runs with on a machine (or cpuset) of `cores` cores: see node-flags.js. */
export function nodeFlags(cores: number, env: Record<string, string | undefined>): string[];
