import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import type { KubeClient } from '@agentbox/controller';

/**
 * Kills kube-apiserver with SIGKILL (etcd stays) and starts the same binary with the same arguments: same
 * port, same certificate folder (kube-apiserver reuses the self-signed certificate it finds there, so the
 * kubeconfig's CA stays valid) and the same token file. testenv starts the first process; this keeps the
 * restarted ones, and `stop()` kills the last.
 */
export function apiServerRestarter(firstPid: number, logFile: string) {
  let pid = firstPid;
  let child: ChildProcess | undefined;
  const cmdline = readFileSync(`/proc/${firstPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const exe = readlinkSync(`/proc/${firstPid}/exe`);
  const args = cmdline.slice(1);
  const gone = async (p: number) => {
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(p, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = () => {
    try {
      child?.kill('SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  return {
    /** Kills it, waits `downMs`, starts it again and resolves when it serves requests; returns ms until ready after the start. */
    async restart(kube: KubeClient, downMs: number): Promise<number> {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await gone(pid);
      await new Promise((r) => setTimeout(r, downMs));
      const fd = openSync(logFile, 'a');
      try {
        child = spawn(exe, args, { stdio: ['ignore', fd, fd] });
      } finally {
        closeSync(fd);
      }
      pid = child.pid ?? 0;
      const started = performance.now();
      for (;;) {
        const ok = await kube
          .request({ path: '/api/v1/namespaces/default', timeoutMs: 2_000 })
          .then(() => true)
          .catch(() => false);
        if (ok) return performance.now() - started;
        if (performance.now() - started > 120_000)
          throw new Error('kube-apiserver did not come back in 120 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}
