import { DeniedError } from '../errors/denied-error.js';
import { ManifestUnknownError } from '../errors/manifest-unknown-error.js';
import type { RegistryError, RegistryErrorContext } from '../errors/registry-error.js';
import { RegistryProtocolError } from '../errors/registry-protocol-error.js';
import { RegistryTimeoutError } from '../errors/registry-timeout-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { TooManyRequestsError } from '../errors/too-many-requests-error.js';
import { UnauthorizedError } from '../errors/unauthorized-error.js';
import type { DrcError, DrcResponse } from './docker-registry-client-module.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * Maps a `docker-registry-client` error to this package's errors. The module's own error is deliberately not
 * kept as `cause`: its message can carry the token realm URL and response bodies, which this package never
 * lets into errors; the module's error name and code are kept in the message instead.
 */
export function errorFromDrc(
  err: DrcError,
  res: DrcResponse | undefined,
  base: RegistryErrorContext,
): RegistryError & { retryAfterHeader?: string } {
  const status = err.statusCode ?? res?.statusCode;
  const registryCode = typeof err.restCode === 'string' ? err.restCode : undefined;
  const context = {
    ...base,
    ...(status !== undefined ? { status } : {}),
    ...(registryCode !== undefined ? { registryCode } : {}),
  };
  const kind = err.code && err.code !== err.name ? `${err.name} ${err.code}` : err.name;
  if (err.code !== undefined && NETWORK_CODES.has(err.code)) {
    return new RegistryUnavailableError(`request failed: ${err.code}`, context);
  }
  if (err.code === 'ETIMEDOUT' || err.name === 'ConnectTimeoutError' || err.name === 'RequestTimeoutError') {
    return new RegistryTimeoutError(`request timed out (${kind})`, context);
  }
  // Login failures come as the module's UnauthorizedError without a status.
  if (status === 401 || err.name === 'UnauthorizedError')
    return new UnauthorizedError(`unauthorized (${kind})`, context);
  if (status === 403) return new DeniedError(`access denied (${kind})`, context);
  if (status === 404) return new ManifestUnknownError(`manifest unknown (${kind})`, context);
  if (status === 429) {
    const error: RegistryError & { retryAfterHeader?: string } = new TooManyRequestsError(
      'rate limited',
      context,
    );
    const retryAfter = res?.headers['retry-after'];
    if (typeof retryAfter === 'string') error.retryAfterHeader = retryAfter;
    return error;
  }
  if (status !== undefined && status >= 500)
    return new RegistryUnavailableError(`registry failed (${kind})`, context);
  return new RegistryProtocolError(`unexpected answer (${kind})`, context);
}
