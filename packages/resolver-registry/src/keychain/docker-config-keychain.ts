import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { InvalidCredentialsConfigError } from '../errors/invalid-credentials-config-error.js';
import {
  credentialFromAuthEntry,
  type DockerConfigFile,
  dockerConfigFileSchema,
  findRegistryKey,
} from '../internal/docker-config-auths.js';
import { DOCKER_HUB } from '../internal/registry-host.js';
import { untilAborted } from '../internal/until-aborted.js';
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
  /** Most helper answers kept (one per helper and server); the least recently used goes first. Default: 256. */
  readonly maxHelperAnswers?: number;
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
 * The file is parsed once and again only when its modification time, size or inode changed; helper answers are
 * kept for `helperCacheTtlMs` in a bounded LRU, and concurrent misses share one helper process.
 */
export function createDockerConfigKeychain(options: DockerConfigKeychainOptions = {}): Keychain {
  const env = options.env ?? process.env;
  const path = options.path ?? join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  const ttl = options.helperCacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const helperAnswers = new LRUCache<string, { at: number; value: Credential | undefined }>({
    max: options.maxHelperAnswers ?? 256,
  });
  // One helper process per (helper, server) at a time: concurrent misses wait for the same answer.
  const helpersRunning = new Map<string, Promise<Credential | undefined>>();
  // The file's parse, reused until its modification time, size or inode change.
  let loaded: { stamp: string; config: Promise<DockerConfigFile | undefined> } | undefined;

  function parse(raw: unknown, source: string): DockerConfigFile {
    const parsed = dockerConfigFileSchema.safeParse(raw);
    if (!parsed.success)
      throw new InvalidCredentialsConfigError(source, 'does not have the docker config.json shape');
    return parsed.data;
  }

  async function readConfig(): Promise<DockerConfigFile | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new InvalidCredentialsConfigError(path, 'cannot be read', { cause: err });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new InvalidCredentialsConfigError(path, 'is not valid JSON');
    }
    return parse(raw, path);
  }

  const given =
    options.config !== undefined
      ? (() => {
          try {
            return Promise.resolve(parse(options.config, 'docker config object'));
          } catch (err) {
            return Promise.reject(err);
          }
        })()
      : undefined;
  // Handled here so an unused invalid object raises no unhandled rejection; every lookup still sees it.
  given?.catch(() => undefined);

  async function load(): Promise<DockerConfigFile | undefined> {
    if (given !== undefined) return given;
    let stamp: string;
    try {
      const info = await stat(path);
      stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new InvalidCredentialsConfigError(path, 'cannot be read', { cause: err });
      }
      stamp = 'missing';
    }
    if (loaded?.stamp !== stamp) {
      const config = stamp === 'missing' ? Promise.resolve(undefined) : readConfig();
      config.catch(() => undefined);
      loaded = { stamp, config };
    }
    return loaded.config;
  }

  async function fromHelper(helper: string, serverUrl: string, request: CredentialRequest) {
    const key = `${helper}\n${serverUrl}`;
    const hit = helperAnswers.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    let running = helpersRunning.get(key);
    if (running === undefined) {
      // Runs on nobody's signal (its own timeout bounds it): one caller giving up must not fail the others.
      const started = runCredentialHelper(helper, serverUrl, {
        env,
        ...(options.helperTimeoutMs !== undefined ? { timeoutMs: options.helperTimeoutMs } : {}),
      });
      running = started;
      helpersRunning.set(key, started);
      started.then(
        (value) => {
          helpersRunning.delete(key);
          helperAnswers.set(key, { at: now(), value });
        },
        () => helpersRunning.delete(key),
      );
    }
    return untilAborted(running, request.signal);
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
