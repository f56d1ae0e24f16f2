// The real kubectl v1.35.4 built by tools/k8s-testenv against the run's control plane.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestNamespace, kubeConfigFor } from '../src/index.js';

const run = promisify(execFile);

describe('kubectl from the global setup', () => {
  const access = inject('controlPlane');
  const kubectl = (...args: string[]) =>
    run(access.kubectl, ['--kubeconfig', access.kubeconfigPath, ...args], { timeout: 60_000 });
  let ns: string;

  beforeAll(async () => {
    ns = await createTestNamespace(kubeConfigFor(access), 'kubectl');
  });

  it('reports v1.35.4 for both the client and the server', async () => {
    const { stdout } = await kubectl('version', '-o', 'json');
    const version = JSON.parse(stdout) as {
      clientVersion: { gitVersion: string; major: string; minor: string };
      serverVersion: { gitVersion: string };
    };
    expect(version.clientVersion).toMatchObject({ gitVersion: 'v1.35.4', major: '1', minor: '35' });
    expect(version.serverVersion.gitVersion).toBe('v1.35.4');
  });

  it('lists SandboxPools by their short name', async () => {
    const custom = kubeConfigFor(access).makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'agents.navix.sh',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'sandboxpools',
      body: {
        apiVersion: 'agents.navix.sh/v1alpha1',
        kind: 'SandboxPool',
        metadata: { name: 'pool-a' },
        spec: { replicas: 1, template: { spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } },
      },
    });
    const { stdout } = await kubectl('get', 'sbp', '-n', ns, '-o', 'name');
    expect(stdout.trim()).toBe('sandboxpool.agents.navix.sh/pool-a');
  });
});
