import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

/**
 * Every error llmperf raises on purpose is an LlmperfError: a stable `code` (for logs, tests and
 * docs), a message that says what to fix, and the process exit code it maps to.
 */
export class LlmperfError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  constructor(code: string, message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LlmperfError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad option, flag, file or expression given by the user. Exit 104. */
export class ConfigError extends LlmperfError {
  constructor(message: string, code = 'INVALID_CONFIG', options?: { cause?: unknown }) {
    super(code, message, ExitCode.INVALID_CONFIG, options);
    this.name = 'ConfigError';
  }
}

/** The user's script failed to bundle, to initialise, or threw in setup/teardown. Exit 107. */
export class ScriptError extends LlmperfError {
  constructor(message: string, code = 'SCRIPT_ERROR', options?: { cause?: unknown }) {
    super(code, message, ExitCode.SCRIPT_ERROR, options);
    this.name = 'ScriptError';
  }
}

/** The script called test.abort(). Exit 108. */
export class ScriptAbort extends LlmperfError {
  constructor(message: string) {
    super('SCRIPT_ABORTED', message, ExitCode.SCRIPT_ABORTED);
    this.name = 'ScriptAbort';
  }
}

/** The target could not be reached by the start-up probe. Exit 100. */
export class TargetUnreachable extends LlmperfError {
  constructor(message: string) {
    super('TARGET_UNREACHABLE', message, ExitCode.TARGET_UNREACHABLE);
    this.name = 'TargetUnreachable';
  }
}

/** Why a file system call failed, in words (the errno code in brackets). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EFBIG: 'file too large for this file system or the file size limit (ulimit -f)',
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'it is a folder',
    EEXIST: 'it already exists',
    EIO: 'input/output error',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  const sqlite = (e as { code?: string })?.code;
  if (typeof sqlite === 'string' && sqlite.startsWith('SQLITE_FULL')) return 'no space left on the device (SQLITE_FULL)';
  return (e as Error)?.message ?? String(e);
}

/** A file llmperf writes could not be written (full disk, read-only or missing folder, no permission). Exit 104. */
export class WriteError extends LlmperfError {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super('WRITE_FAILED', `cannot write ${file}: ${fsReason(cause)}`, ExitCode.INVALID_CONFIG, { cause });
    this.name = 'WriteError';
    this.file = file;
  }
}
