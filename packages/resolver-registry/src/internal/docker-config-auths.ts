import { z } from 'zod';
import type { Credential } from '../keychain/keychain.js';
import { normalizeRegistryName } from './registry-host.js';

/** One `auths` entry of a docker `config.json` / `.dockerconfigjson` / legacy `.dockercfg`. */
export const dockerAuthEntrySchema = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

/** The parts of a docker `config.json` this package reads. */
export const dockerConfigFileSchema = z.object({
  auths: z.record(z.string(), dockerAuthEntrySchema).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

/** A parsed `auths` entry. */
export type DockerAuthEntry = z.infer<typeof dockerAuthEntrySchema>;

/** A parsed docker `config.json`. */
export type DockerConfigFile = z.infer<typeof dockerConfigFileSchema>;

/** Turns an auths entry into a credential; `undefined` when it holds none (e.g. only an email). */
export function credentialFromAuthEntry(entry: DockerAuthEntry): Credential | undefined {
  if (entry.registrytoken) return { kind: 'registryToken', token: entry.registrytoken };
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (entry.identitytoken) {
    return username
      ? { kind: 'identityToken', username, token: entry.identitytoken }
      : { kind: 'identityToken', token: entry.identitytoken };
  }
  if (username && password !== undefined && password !== '') return { kind: 'basic', username, password };
  return undefined;
}

/** Splits a config key (`https://index.docker.io/v1/`, `reg:5000/team`) into registry and repository prefix. */
function parseKey(key: string): { registry: string; pathPrefix: string } {
  const withoutScheme = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const path = slash >= 0 ? withoutScheme.slice(slash + 1).replace(/\/+$/, '') : '';
  // Legacy keys carry the API version (`/v1/`, `/v2/`), which is not a repository prefix.
  const pathPrefix = /^v[12]$/.test(path) ? '' : path;
  return { registry: normalizeRegistryName(withoutScheme), pathPrefix };
}

/**
 * Finds the key of `entries` that applies to registry/repository: same registry after normalisation (all Docker
 * Hub aliases match each other), and when the key has a path, the repository must live under it; the longest
 * path wins, like kubelet's credential provider.
 */
export function findRegistryKey(
  keys: Iterable<string>,
  registry: string,
  repository: string,
): string | undefined {
  const wanted = normalizeRegistryName(registry);
  let best: { key: string; length: number } | undefined;
  for (const key of keys) {
    const parsed = parseKey(key);
    if (parsed.registry !== wanted) continue;
    const p = parsed.pathPrefix;
    if (p !== '' && repository !== p && !repository.startsWith(`${p}/`)) continue;
    if (best === undefined || p.length > best.length) best = { key, length: p.length };
  }
  return best?.key;
}
