import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

/**
 * Creates a namespace `<prefix>-<random>` labelled `agentbox.navix.sh/test=true` and
 * returns its name. The control plane runs no namespace controller, so test
 * namespaces are never cleaned up by deletion: each test simply gets a fresh one.
 */
export async function createTestNamespace(kubeConfig: KubeConfig, prefix = 'test'): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  const name = `${base || 'test'}-${randomBytes(4).toString('hex')}`;
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({
    body: { metadata: { name, labels: { 'agentbox.navix.sh/test': 'true' } } },
  });
  return name;
}
