import { normalizeRegistryName } from '../internal/registry-host.js';
import type { Credential, Keychain } from './keychain.js';

/**
 * A fixed map of registry → credential; keys may be any spelling of a registry (`https://index.docker.io/v1/`,
 * `reg:5000`), matched after normalisation so every Docker Hub alias finds the Hub entry.
 */
export function createStaticKeychain(entries: Readonly<Record<string, Credential>>): Keychain {
  const byRegistry = new Map<string, Credential>();
  for (const [name, credential] of Object.entries(entries))
    byRegistry.set(normalizeRegistryName(name), credential);
  return {
    async credentialsFor(request) {
      return byRegistry.get(normalizeRegistryName(request.registry));
    },
  };
}
