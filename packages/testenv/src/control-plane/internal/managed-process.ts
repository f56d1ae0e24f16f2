import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetPid, rememberPid } from '../../internal/process-reaper.js';

/** A child process whose stdout and stderr go to a log file, and which dies with its parent. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited: why it exited, for error messages. */
  exitReason(): string | undefined;
  /** The last `lines` lines of the log file. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `bin args` with output appended to `logFile`; the reaper kills it (and removes `orphanDirs`) if this process dies first. */
export function startManagedProcess(
  name: string,
  bin: string,
  args: string[],
  logFile: string,
  orphanDirs: readonly string[] = [],
): ManagedProcess {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ['ignore', fd, fd], env: { ...process.env } });
  } finally {
    closeSync(fd);
  }
  // Listeners first: a binary that cannot run emits 'error' on the next tick, and an 'error' nobody
  // listens to would crash the test process. (events.once would reject on it, hence plain listeners.)
  let reason: string | undefined;
  let pid: number | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      if (pid !== undefined) forgetPid(pid);
      resolve();
    });
  });
  child.once('error', (err) => {
    reason = `failed to run: ${err.message}`;
    if (pid !== undefined) forgetPid(pid);
  });
  if (child.pid === undefined) throw new Error(`${name} did not start (${bin})`);
  pid = child.pid;
  rememberPid(pid, orphanDirs);
  return {
    name,
    pid,
    logFile,
    exitReason: () => reason,
    logTail(lines = 40) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    async stop(graceMs = 5_000) {
      if (reason !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** An error when the process has exited (it will never become ready), else undefined. */
export function exitError(proc: ManagedProcess): Error | undefined {
  const reason = proc.exitReason();
  return reason === undefined ? undefined : new Error(`${proc.name} ${reason}`);
}

/** `err` with the last `lines` lines of the process's log appended, so a failed start explains itself. */
export function withLogTail(err: unknown, proc: ManagedProcess, lines = 40): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`${message}\n--- ${proc.name} (${proc.logFile}) ---\n${proc.logTail(lines)}`, {
    cause: err,
  });
}
