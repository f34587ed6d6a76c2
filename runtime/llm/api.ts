/**
 * An API adapter turns the script's parameters into an HTTP request and the server's events into
 * output. Built-ins: openai (chat and completions) and dashscope; plugins implement the same shape.
 */

// The adapter contract is defined once, in the public plugin types (types/api-plugin.d.ts):
// built-in APIs and plugins implement the same interface.
import type { ApiPlugin, ApiRequestContext, BuiltRequest, Endpoint, ParsedDelta } from '../../types/api-plugin.d.ts';
export type { ApiRequestContext, BuiltRequest, Endpoint, ParsedDelta };
export type ApiAdapter = ApiPlugin;

/** Joins a base URL and an endpoint path without doubling slashes or /v1. */
export function joinUrl(base: string, path: string): string {
  const b = base.replace(/\/+$/, '');
  return b + (path.startsWith('/') ? path : '/' + path);
}
