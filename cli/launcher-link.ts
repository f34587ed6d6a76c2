/**
 * The child side of bin/llmperf.js's re-execution: fd LLMPERF_LAUNCHER_FD is a pipe only the launcher
 * writes to. When it closes, the launcher is gone (killed, even with SIGKILL): this process stops
 * as a second signal would (in-flight requests cancelled, the summary and results written), and
 * exits within LINGER_MS whatever happens, so it never outlives its launcher for long.
 */
import { Socket } from 'node:net';

const LINGER_MS = 10_000;

export function watchLauncher(): void {
  const fd = Number(process.env.LLMPERF_LAUNCHER_FD);
  delete process.env.LLMPERF_LAUNCHER_FD; // not for processes this one starts
  if (!Number.isInteger(fd) || fd < 3) return;
  let link: Socket;
  try {
    link = new Socket({ fd, readable: true, writable: false });
  } catch {
    return;
  }
  link.unref();
  link.on('error', () => undefined);
  link.on('data', () => undefined);
  link.once('close', () => {
    process.stderr.write('llmperf: the launcher process is gone: stopping now\n');
    setTimeout(() => process.exit(process.exitCode ?? 105), LINGER_MS).unref();
    // as two signals: the first stops new iterations, the second cancels what is in flight
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), 200).unref();
  });
}
