import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** True while a process with that pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidsOf(output: string): number[] {
  return (/^demo: pids ([\d ]+)$/m.exec(output)?.[1] ?? '').split(' ').filter(Boolean).map(Number);
}

function startDemo(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn('scripts/demo.sh', [], {
    cwd: repoRoot,
    // The simulator path (its log line is asserted below); the real node has its own tests in testenv and
    // the controller, and would wait here for the machine-wide real-node lock they hold.
    env: { ...process.env, DEMO_REPLICAS: '4', DEMO_NODE: 'simulator', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => text, exited };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('make demo (scripts/demo.sh) end to end, with a pool of 4', () => {
  // The demo runs the package's dist/agentbox.js, which `make demo` builds first: build it the same way.
  beforeAll(() => {
    execFileSync(process.execPath, [`${repoRoot}packages/cli/build.mjs`], { stdio: 'inherit' });
  });

  it('runs every step, prints the summary, and leaves no process behind', { timeout: 240_000 }, async () => {
    const demo = startDemo({});
    const code = await demo.exited;
    const out = demo.output();
    expect(code, out).toBe(0);
    for (const step of [
      '$ agentbox create pool demo --image ',
      '$ agentbox get pools',
      '--wait &',
      '$ agentbox get sandboxes -o wide',
      ':does-not-exist --startup-timeout 20s --wait --timeout 6s',
      '$ agentbox explain ',
      ' --wait\n',
      '$ agentbox scale pool demo --replicas 3',
      'summary',
      'claim → running, as the CLI watched it',
      'API writes during the demo',
    ]) {
      expect(out).toContain(step);
    }
    expect(out).toMatch(
      /error: claim demo: sandbox \S+ \(pod demo-\w+\) still starting after 6s: container main: (ImagePullBackOff|ErrImagePull)/,
    );
    expect(out).toContain('the kubelet simulator');
    const pids = pidsOf(out);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await until(() => pids.every((p) => !alive(p)), 20_000);
  });

  it('DEMO_KEEP=1 keeps it up with the KUBECONFIG line until Ctrl-C, then stops everything', {
    timeout: 240_000,
  }, async () => {
    const demo = startDemo({ DEMO_KEEP: '1' });
    await until(() => /export KUBECONFIG=\S+/.test(demo.output()), 180_000);
    const kubeconfig = /export KUBECONFIG=(\S+)/.exec(demo.output())?.[1] as string;
    const bin = `${repoRoot}packages/cli/dist/agentbox.js`;
    const pools = await runCli(bin, ['get', 'pools', '-o', 'name'], { env: { KUBECONFIG: kubeconfig } });
    expect(pools.stdout).toBe('sandboxpool.agents.navix.sh/demo\n');
    const pids = pidsOf(demo.output());
    expect(pids.every(alive)).toBe(true);
    demo.child.kill('SIGINT');
    const code = await demo.exited;
    expect(code).toBe(130);
    await until(() => pids.every((p) => !alive(p)), 20_000);
    expect(existsSync(kubeconfig)).toBe(false);
  });
});
