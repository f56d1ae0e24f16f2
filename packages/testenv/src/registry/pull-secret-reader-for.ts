import type { ProvidedBasicRegistry, ProvidedTokenRegistry } from './provided-registries.js';

/** A Kubernetes secret as a `SecretReader` of `@agentbox/resolver-registry` returns it. */
export interface TestSecret {
  type: string;
  data: Record<string, string>;
}

/**
 * An in-memory `SecretReader` holding one `kubernetes.io/dockerconfigjson` pull secret with
 * the registry's credentials, at `namespace/name` only; every other secret is absent. Shaped
 * structurally so testenv does not depend on the resolver package it serves.
 */
export function pullSecretReaderFor(
  registry: ProvidedBasicRegistry | ProvidedTokenRegistry,
  namespace: string,
  name: string,
): { getSecret(namespace: string, name: string): Promise<TestSecret | undefined> } {
  const config = {
    auths: { [`http://${registry.host}`]: { username: registry.username, password: registry.password } },
  };
  const secret: TestSecret = {
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify(config)).toString('base64') },
  };
  return {
    async getSecret(ns, n) {
      return ns === namespace && n === name ? secret : undefined;
    },
  };
}
