import type { DigestResolver } from '@agentbox/core';
import { withCache } from '@agentbox/resolver-cache';
import { createRegistryResolver, type PullSecret, type SecretReader } from '@agentbox/resolver-registry';
import { isNotFoundError } from '../../kube/kube-api-error.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { secretsPath } from '../../kube/kube-paths.js';

/**
 * The cached registry resolver the controller uses by default, with the pods' pull secrets read through
 * the KubeClient (the docker config keychain and anonymous access come after them).
 */
export function createDefaultResolver(kube: KubeClient): DigestResolver & { close(): Promise<void> } {
  const secretReader: SecretReader = {
    async getSecret(namespace, name): Promise<PullSecret | undefined> {
      try {
        const secret = await kube.request<{ type?: string; data?: Record<string, string> }>({
          path: secretsPath(namespace, name),
        });
        return { type: secret.type ?? '', data: secret.data ?? {} };
      } catch (err) {
        if (isNotFoundError(err)) return undefined;
        throw err;
      }
    },
  };
  const registry = createRegistryResolver({ secretReader });
  const cached = withCache(registry);
  return {
    resolve: (ref, opts) => cached.resolve(ref, opts),
    resolveConfigDigest: (ref, opts) => cached.resolveConfigDigest(ref, opts),
    digestFromStatus: (image, imageID) => cached.digestFromStatus(image, imageID),
    close: () => registry.close(),
  };
}
