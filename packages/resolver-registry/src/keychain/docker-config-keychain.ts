import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidCredentialsConfigError } from '../errors/invalid-credentials-config-error.js';
import {
  credentialFromAuthEntry,
  type DockerConfigFile,
  dockerConfigFileSchema,
  findRegistryKey,
} from '../internal/docker-config-auths.js';
import { DOCKER_HUB } from '../internal/registry-host.js';
import { runCredentialHelper } from './credential-helper.js';
import type { Credential, CredentialRequest, Keychain } from './keychain.js';

/** Options of {@link createDockerConfigKeychain}. */
export interface DockerConfigKeychainOptions {
  /** Path of `config.json`. Default: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
  readonly path?: string;
  /** An already parsed config instead of a file (takes precedence over `path`). Default: none. */
  readonly config?: unknown;
  /** Environment for credential helpers (their `PATH`) and for `DOCKER_CONFIG`. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** How long a helper's answer is reused, so a helper is not spawned per lookup. Default: 60 000 ms. */
  readonly helperCacheTtlMs?: number;
  /** Kill a credential helper after this long. Default: 10 000 ms. */
  readonly helperTimeoutMs?: number;
  /** Clock for the helper cache. Default: `Date.now`. */
  readonly now?: () => number;
}

/** The server URL docker's CLI hands helpers for Docker Hub. */
const HUB_SERVER_URL = 'https://index.docker.io/v1/';

/**
 * Credentials from a docker `config.json`: `credHelpers` for the registry, else `credsStore`, else inline
 * `auths` (`auth`, `username`/`password`, `identitytoken`, `registrytoken`). A missing file means no credentials;
 * a file that is not valid JSON of that shape is an error (it would otherwise silently pull anonymously).
 */
export function createDockerConfigKeychain(options: DockerConfigKeychainOptions = {}): Keychain {
  const env = options.env ?? process.env;
  const path = options.path ?? join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  const ttl = options.helperCacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const helperCache = new Map<string, { at: number; value: Credential | undefined }>();

  async function load(): Promise<DockerConfigFile | undefined> {
    let raw: unknown = options.config;
    const source = options.config !== undefined ? 'docker config object' : path;
    if (raw === undefined) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new InvalidCredentialsConfigError(source, 'cannot be read', { cause: err });
      }
      try {
        raw = JSON.parse(text);
      } catch {
        throw new InvalidCredentialsConfigError(source, 'is not valid JSON');
      }
    }
    const parsed = dockerConfigFileSchema.safeParse(raw);
    if (!parsed.success)
      throw new InvalidCredentialsConfigError(source, 'does not have the docker config.json shape');
    return parsed.data;
  }

  async function fromHelper(helper: string, serverUrl: string, request: CredentialRequest) {
    const key = `${helper}\n${serverUrl}`;
    const hit = helperCache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    const value = await runCredentialHelper(helper, serverUrl, {
      env,
      ...(options.helperTimeoutMs !== undefined ? { timeoutMs: options.helperTimeoutMs } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    helperCache.set(key, { at: now(), value });
    return value;
  }

  return {
    async credentialsFor(request) {
      const config = await load();
      if (config === undefined) return undefined;
      const helpers = config.credHelpers ?? {};
      const helperKey = findRegistryKey(Object.keys(helpers), request.registry, request.repository);
      if (helperKey !== undefined) return fromHelper(helpers[helperKey]!, helperKey, request);
      const auths = config.auths ?? {};
      const authKey = findRegistryKey(Object.keys(auths), request.registry, request.repository);
      if (config.credsStore) {
        const serverUrl = authKey ?? (request.registry === DOCKER_HUB ? HUB_SERVER_URL : request.registry);
        const stored = await fromHelper(config.credsStore, serverUrl, request);
        if (stored !== undefined) return stored;
      }
      return authKey === undefined ? undefined : credentialFromAuthEntry(auths[authKey]!);
    },
  };
}
