import type {} from 'vitest';
import { registryCredentials } from './registry-credentials.js';
import type { RegistryHandle } from './registry-handle.js';
import { RegistryHarnessError } from './registry-harness-error.js';

/** The anonymous registry of the test run, as provided to tests. */
export interface ProvidedNoneRegistry {
  readonly auth: 'none';
  readonly host: string;
  readonly url: string;
}

/** The Basic-auth registry of the test run, as provided to tests. */
export interface ProvidedBasicRegistry {
  readonly auth: 'basic';
  readonly host: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** The token-auth registry of the test run, as provided to tests. */
export interface ProvidedTokenRegistry {
  readonly auth: 'token';
  readonly host: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Token endpoint (the `realm` of the registry's Bearer challenge). */
  readonly realm: string;
  readonly service: string;
}

/** One provided registry, any mode. */
export type ProvidedRegistry = ProvidedNoneRegistry | ProvidedBasicRegistry | ProvidedTokenRegistry;

/**
 * What the registry global setup provides as `inject('registries')` (JSON): one Distribution registry per auth
 * mode, and go-containerregistry's registry (`crane registry serve`, no auth) as a second implementation.
 */
export interface ProvidedRegistries {
  readonly none: ProvidedNoneRegistry;
  readonly basic: ProvidedBasicRegistry;
  readonly token: ProvidedTokenRegistry;
  readonly crane: ProvidedNoneRegistry;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared registries started by `packages/testenv/src/global-setup/registry.ts`. */
    registries: ProvidedRegistries;
  }
}

/** Rebuilds a handle `pushImage`, `retag` and `deleteImage` accept from a registry provided to tests. */
export function registryFromProvided(provided: ProvidedRegistry): RegistryHandle {
  switch (provided.auth) {
    case 'none':
      return { auth: 'none', host: provided.host, url: provided.url };
    case 'basic':
      return {
        auth: 'basic',
        host: provided.host,
        url: provided.url,
        credentials: registryCredentials(provided.username, provided.password),
      };
    case 'token':
      return {
        auth: 'token',
        host: provided.host,
        url: provided.url,
        credentials: registryCredentials(provided.username, provided.password),
        tokenServer: { realm: provided.realm, service: provided.service },
      };
    default:
      throw new RegistryHarnessError(
        'InvalidProvidedRegistry',
        `unknown auth mode ${JSON.stringify((provided as { auth?: unknown }).auth)}`,
      );
  }
}

/** Turns a started registry into the JSON tests receive (passwords included: test-only secrets). */
export function provideRegistry(registry: RegistryHandle): ProvidedRegistry {
  const base = { host: registry.host, url: registry.url };
  const creds = registry.credentials;
  if (registry.auth === 'none') return { auth: 'none', ...base };
  if (creds === undefined) {
    throw new RegistryHarnessError('InvalidProvidedRegistry', `registry ${registry.host} has no credentials`);
  }
  if (registry.auth === 'basic')
    return { auth: 'basic', ...base, username: creds.username, password: creds.password };
  const server = registry.tokenServer;
  if (server === undefined) {
    throw new RegistryHarnessError(
      'InvalidProvidedRegistry',
      `registry ${registry.host} has no token server`,
    );
  }
  return {
    auth: 'token',
    ...base,
    username: creds.username,
    password: creds.password,
    realm: server.realm,
    service: server.service,
  };
}
