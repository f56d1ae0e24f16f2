import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startManagedProcess } from './managed-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'agentbox-managed-process-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('startManagedProcess', () => {
  it('a binary that cannot run throws, and its later spawn error reaches no one', async () => {
    const uncaught: unknown[] = [];
    const record = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', record);
    try {
      expect(() =>
        startManagedProcess('absent', join(scratch, 'no-such-binary'), [], join(scratch, 'absent.log')),
      ).toThrow('absent did not start');
      await sleep(100);
    } finally {
      process.off('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
  });

  it('reports how the process ended and stops one that runs', async () => {
    const log = join(scratch, 'sleep.log');
    const proc = startManagedProcess('sleeper', '/bin/sh', ['-c', 'echo up; exec sleep 30'], log);
    expect(proc.exitReason()).toBeUndefined();
    while (proc.logTail() !== 'up') await sleep(20);
    await proc.stop(2_000);
    expect(proc.exitReason()).toBe('killed by SIGTERM');
    expect(proc.logTail()).toBe('up');
  });
});
