import { AgentboxError } from '@agentbox/core';

/** Where a registry error happened and what the registry said; no credentials ever go in here. */
export interface RegistryErrorContext {
  /** Registry name (`docker.io` for Hub, else `host[:port]`; a mirror's host when a mirror failed). */
  readonly registry: string;
  /** Repository path inside the registry. */
  readonly repository: string;
  /** The tag or digest that was looked up, when the failure concerns one. */
  readonly reference?: string;
  /** HTTP status of the failing response, when there was one. */
  readonly status?: number;
  /** The registry's own error code from the body (`MANIFEST_UNKNOWN`, `DENIED`, …), when given. */
  readonly registryCode?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * Base class of every error from talking to a registry: carries the registry, repository, the tag or digest
 * looked up, HTTP status and the registry's error code next to the stable `code` callers branch on. The message
 * names what was looked up: `127.0.0.1:5000/app:nope: manifest unknown (HTTP 404)`.
 */
export class RegistryError extends AgentboxError {
  /** Registry name the request went to. */
  readonly registry: string;
  /** Repository path inside the registry. */
  readonly repository: string;
  /** The tag or digest looked up, when the failure concerns one. */
  readonly reference: string | undefined;
  /** HTTP status, when a response was received. */
  readonly status: number | undefined;
  /** The registry's error code from the response body, when given. */
  readonly registryCode: string | undefined;

  constructor(
    what: string,
    context: RegistryErrorContext,
    options: { code?: string; retryable?: boolean } = {},
  ) {
    const details = [
      context.status !== undefined ? `HTTP ${context.status}` : undefined,
      context.registryCode !== undefined ? context.registryCode : undefined,
    ].filter((d) => d !== undefined);
    super(
      `${context.registry}/${context.repository}${referenceSuffix(context.reference)}: ${what}${details.length > 0 ? ` (${details.join(' ')})` : ''}`,
      {
        ...(context.cause !== undefined ? { cause: context.cause } : {}),
        ...(options.code !== undefined ? { code: options.code } : { code: 'Registry' }),
        retryable: options.retryable ?? false,
      },
    );
    this.registry = context.registry;
    this.repository = context.repository;
    this.reference = context.reference;
    this.status = context.status;
    this.registryCode = context.registryCode;
  }
}

/** `:tag` or `@algorithm:hex` (a tag never holds a colon), as in the image reference crane prints. */
function referenceSuffix(reference: string | undefined): string {
  if (reference === undefined) return '';
  return reference.includes(':') ? `@${reference}` : `:${reference}`;
}
