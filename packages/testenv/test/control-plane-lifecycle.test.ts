import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { buildK8sBinaries, ControlPlaneError, startControlPlane } from '../src/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'agentbox-cp-lifecycle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(scratch, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('building the binaries', () => {
  it('fails loudly, with the build output, when the build script fails', async () => {
    const failing = script('build-fails.sh', 'echo "go: module lookup disabled" >&2; exit 1');
    const err = await buildK8sBinaries(failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect(err).toMatchObject({ code: 'BinariesUnavailable' });
    expect((err as Error).message).toContain('go: module lookup disabled');
  });

  it('fails loudly when the build script is missing', async () => {
    await expect(buildK8sBinaries(join(scratch, 'absent.sh'))).rejects.toMatchObject({
      code: 'BinariesUnavailable',
    });
  });

  it('reuses the cached build', async () => {
    const binaries = await buildK8sBinaries();
    expect(binaries.built).toBe(false);
    expect(existsSync(binaries.kubeApiServer) && existsSync(binaries.etcd)).toBe(true);
  });
});

describe('startControlPlane', () => {
  it('reports a process that cannot start with its log, and leaves nothing behind', async () => {
    const binDir = join(scratch, 'broken-bin');
    script('broken-bin/etcd', 'echo "etcd: unknown flag --frobnicate" >&2; exit 2');
    const dataRoot = join(scratch, 'data');
    mkdirSync(dataRoot);
    const err = await startControlPlane({ binDir, dataRoot, readyTimeoutMs: 10_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect(err).toMatchObject({ code: 'ControlPlaneStartFailed' });
    expect((err as Error).message).toContain('etcd exited with code 2');
    expect((err as Error).message).toContain('unknown flag --frobnicate');
    expect(readdirSync(dataRoot)).toEqual([]);
  });

  it('removes its run folder (admin token, service-account key) when kube-apiserver fails, logDir given', async () => {
    const { etcd } = await buildK8sBinaries();
    const binDir = join(scratch, 'apiserver-fails-bin');
    script('apiserver-fails-bin/kube-apiserver', 'echo "kube-apiserver: bad flag" >&2; exit 3');
    symlinkSync(etcd, join(binDir, 'etcd'));
    const temp = join(scratch, 'tmp');
    const logDir = join(scratch, 'kept-logs');
    mkdirSync(temp);
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = temp;
    try {
      const err = await startControlPlane({ binDir, logDir, dataRoot: temp }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ControlPlaneStartFailed' });
      expect((err as Error).message).toContain('kube-apiserver: bad flag');
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
    expect(readdirSync(temp)).toEqual([]);
    expect(readdirSync(logDir).sort()).toEqual(['etcd.log', 'kube-apiserver.log']);
  });

  it('starts a second, independent control plane and stops every process it started', async () => {
    const cp = await startControlPlane();
    const runDir = dirname(cp.kubeconfigPath);
    try {
      const ns = await cp.kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
      expect(ns.metadata?.name).toBe('default');
      expect(alive(cp.pids.etcd) && alive(cp.pids.apiServer)).toBe(true);
    } finally {
      await cp.stop();
    }
    expect(alive(cp.pids.etcd) || alive(cp.pids.apiServer)).toBe(false);
    expect(existsSync(runDir)).toBe(false);
    await cp.stop();
  });

  it('kills etcd and kube-apiserver and removes their folders when the process that started them dies', async () => {
    const entry = join(scratch, 'crashing-runner.mts');
    const source = fileURLToPath(new URL('../src/control-plane/start-control-plane.ts', import.meta.url));
    writeFileSync(
      entry,
      `import { startControlPlane } from ${JSON.stringify(source)};\n` +
        'const cp = await startControlPlane();\n' +
        'console.log(JSON.stringify({ ...cp.pids, kubeconfigPath: cp.kubeconfigPath }));\n' +
        'setInterval(() => {}, 1000);\n',
    );
    const child = spawn(process.execPath, ['--conditions=@agentbox/source', '--import', 'tsx', entry], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = await new Promise<{ etcd: number; apiServer: number; kubeconfigPath: string }>(
      (resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        child.once('exit', (code) => reject(new Error(`runner exited early (${code})`)));
      },
    );
    expect(alive(pids.etcd) && alive(pids.apiServer)).toBe(true);
    child.kill('SIGKILL');
    await until(
      'the watchdog to kill etcd and kube-apiserver',
      () => !alive(pids.etcd) && !alive(pids.apiServer),
    );
  });
});
