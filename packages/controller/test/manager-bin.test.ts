import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { leasesPath } from '../src/kube/kube-paths.js';
import type { Lease } from '../src/leader/lease.js';
import { silentLogger } from '../src/observability/logger.js';
import { startController } from '../src/start-controller.js';

// The bin runs from source in a child process (node --conditions=@agentbox/source --import tsx), so the test
// needs no build; `pnpm --filter @agentbox/controller build` produces the same program as dist/bin.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

interface Bin {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function startBin(args: string[]): Bin {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentbox/source', '--import', tsx, 'src/bin/agentbox-controller.ts', ...args],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } },
  );
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
    for (const w of waiters.splice(0)) w();
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return {
    child,
    lines,
    async waitFor(msg, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => l.msg === msg);
        if (found) return found;
        if (child.exitCode !== null || Date.now() > end)
          throw new Error(`no "${msg}" line; stdout: ${JSON.stringify(lines)}; stderr: ${stderr}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the agentbox-controller bin', () => {
  const access = inject('controlPlane');
  const kc = kubeConfigFor(access);
  let admin: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    admin = await createKubeClient(kc);
    namespace = await createTestNamespace(kc, 'bin');
  });
  afterAll(async () => {
    await admin.close();
  });

  const flags = (lease: string) => [
    '--kubeconfig',
    access.kubeconfigPath,
    '--namespace',
    namespace,
    '--leader-elect',
    '--leader-election-namespace',
    namespace,
    '--leader-election-id',
    lease,
    '--metrics-bind-address',
    '127.0.0.1:0',
    '--health-probe-bind-address',
    '127.0.0.1:0',
  ];

  it('serves /healthz, /readyz and /metrics; SIGTERM drains, releases the Lease and exits 0 within 10 s', async () => {
    const bin = startBin(flags('bin-term'));
    try {
      const running = await bin.waitFor('controller running');
      const health = running.health as string;
      const metrics = running.metrics as string;
      expect((await fetch(`${health}/healthz`)).status).toBe(200);
      await until(async () => (await fetch(`${health}/readyz`)).status === 200, 20_000, '/readyz');
      await bin.waitFor('started leading');
      const text = await (await fetch(metrics)).text();
      expect(text).toContain('agentbox_leader 1');
      expect(text).toContain('process_resident_memory_bytes');
      expect(
        (await admin.request<Lease>({ path: leasesPath(namespace, 'bin-term') })).spec?.holderIdentity,
      ).toMatch(/_/);

      const sent = performance.now();
      bin.child.kill('SIGTERM');
      const [code] = (await once(bin.child, 'exit')) as [number | null];
      const tookMs = performance.now() - sent;
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(10_000);
      const released = await admin.request<Lease>({ path: leasesPath(namespace, 'bin-term') });
      expect(released.spec?.holderIdentity ?? '').toBe('');
      expect(released.spec?.leaseDurationSeconds).toBe(1);
      expect(bin.lines.some((l) => l.msg === 'controller stopped')).toBe(true);
      console.log(`bin: SIGTERM → exit 0 in ${tookMs.toFixed(0)} ms`);
    } finally {
      bin.child.kill('SIGKILL');
    }
  });

  it('a leader killed without releasing (SIGKILL) is replaced within the lease duration', async () => {
    const bin = startBin(flags('bin-kill'));
    let other: Awaited<ReturnType<typeof startController>> | undefined;
    try {
      await bin.waitFor('started leading');
      other = await startController({
        kubeConfig: kc,
        namespace,
        logger: silentLogger,
        leaderElection: {
          enabled: true,
          leaseName: 'bin-kill',
          leaseNamespace: namespace,
          retryPeriodMs: 500,
          renewDeadlineMs: 5_000,
        },
      });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(other.isLeader()).toBe(false);
      const killed = performance.now();
      bin.child.kill('SIGKILL');
      await other.ready;
      const takeoverMs = performance.now() - killed;
      expect(other.isLeader()).toBe(true);
      // The dead leader's last renewal was at most one retry period (2 s) before the kill; 15 s lease.
      expect(takeoverMs).toBeLessThan(15_000 + 2_000);
      console.log(
        `bin: SIGKILL'd leader replaced after ${takeoverMs.toFixed(0)} ms (lease 15 s, unreleased)`,
      );
    } finally {
      bin.child.kill('SIGKILL');
      await other?.stop();
    }
  }, 60_000);
});
