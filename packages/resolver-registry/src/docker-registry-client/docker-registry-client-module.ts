import { createRequire } from 'node:module';
import { AgentboxError } from '@agentbox/core';

/** The few fields of a `docker-registry-client` response this backend reads. */
export interface DrcResponse {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** An error from `docker-registry-client` (restify/verror based), as far as this backend reads it. */
export interface DrcError extends Error {
  readonly statusCode?: number;
  readonly restCode?: string;
  readonly code?: string;
}

/** Options of `createClientV2` this backend passes (the module has no TypeScript types of its own). */
export interface DrcClientOptions {
  readonly name: string;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  readonly scheme?: 'http' | 'https';
  readonly insecure?: boolean;
  readonly acceptManifestLists: boolean;
  readonly maxSchemaVersion: number;
  readonly userAgent?: string;
  readonly log: DrcLogger;
}

/** A bunyan-shaped logger; the backend passes a silent one so the module never prints. */
export interface DrcLogger {
  child(fields: unknown): DrcLogger;
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
}

/** A v2 registry client for one repository. */
export interface DrcClient {
  getManifest(
    opts: { ref: string; acceptManifestLists?: boolean; maxSchemaVersion?: number },
    cb: (
      err: DrcError | null | undefined,
      manifest: unknown,
      res: DrcResponse | undefined,
      manifestStr: string,
    ) => void,
  ): void;
  close(): void;
}

/** The module's surface this backend uses. */
export interface DrcModule {
  createClientV2(opts: DrcClientOptions): DrcClient;
}

/** The optional peer dependency is not installed. */
export class OptionalDependencyMissingError extends AgentboxError {
  override readonly code = 'OptionalDependencyMissing';
  /** The npm package that is missing. */
  readonly dependency: string;

  constructor(dependency: string, options: { cause?: unknown } = {}) {
    super(`the optional peer dependency ${dependency} is not installed: add it to use this backend`, options);
    this.dependency = dependency;
  }
}

let loaded: DrcModule | undefined;

/** Loads `docker-registry-client` on first use only (it is an optional peer dependency, CommonJS). */
export function loadDockerRegistryClient(): DrcModule {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = require('docker-registry-client') as DrcModule;
  } catch (err) {
    throw new OptionalDependencyMissingError('docker-registry-client', { cause: err });
  }
  return loaded;
}

/** A logger that drops everything: the module logs requests (with headers) at trace level. */
export const silentDrcLogger: DrcLogger = {
  child: () => silentDrcLogger,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
};
