import { describe, expect, it } from 'vitest';
import { resolveDockerRegistryClientResolverOptions } from './create-docker-registry-client-resolver.js';
import type { DrcError } from './docker-registry-client-module.js';
import { errorFromDrc } from './error-from-drc.js';

const context = { registry: 'reg.example', repository: 'app' };
const drcError = (fields: Partial<DrcError> & { name: string }): DrcError =>
  Object.assign(new Error('module message with https://auth.example/token?account=u'), fields) as DrcError;

describe('errorFromDrc', () => {
  it.each([
    [{ name: 'Error', code: 'ECONNREFUSED' }, 'RegistryUnavailable', undefined],
    [{ name: 'Error', code: 'ETIMEDOUT' }, 'Timeout', undefined],
    [{ name: 'ConnectTimeoutError' }, 'Timeout', undefined],
    [{ name: 'UnauthorizedError' }, 'Unauthorized', undefined],
    [{ name: 'UnauthorizedError', statusCode: 401 }, 'Unauthorized', 401],
    [{ name: 'ForbiddenError', statusCode: 403 }, 'Denied', 403],
    [{ name: 'NotFoundError', statusCode: 404 }, 'ManifestUnknown', 404],
    [
      { name: 'MANIFEST_UNKNOWNError', statusCode: 404, restCode: 'MANIFEST_UNKNOWN' },
      'ManifestUnknown',
      404,
    ],
    [{ name: 'TooManyRequestsError', statusCode: 429 }, 'TooManyRequests', 429],
    [{ name: 'ServiceUnavailableError', statusCode: 503 }, 'RegistryUnavailable', 503],
    [{ name: 'InvalidContentError', statusCode: 200 }, 'RegistryProtocol', 200],
  ])('%j → %s', (fields, code, status) => {
    const err = errorFromDrc(drcError(fields), undefined, context);
    expect(err).toMatchObject({ code, registry: 'reg.example', repository: 'app', status });
    // The module's message (realm URLs, bodies) never reaches ours, and it is not kept as the cause.
    expect(err.message).not.toContain('auth.example');
    expect(err.cause).toBeUndefined();
  });

  it('keeps the registry code and the Retry-After of a 429 for the retry loop', () => {
    const err = errorFromDrc(
      drcError({ name: 'TOOMANYREQUESTSError', statusCode: 429, restCode: 'TOOMANYREQUESTS' }),
      { statusCode: 429, headers: { 'retry-after': '7' } },
      context,
    );
    expect(err).toMatchObject({
      code: 'TooManyRequests',
      registryCode: 'TOOMANYREQUESTS',
      retryAfterHeader: '7',
    });
  });
});

describe('resolveDockerRegistryClientResolverOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolveDockerRegistryClientResolverOptions({ insecureRegistries: ['HTTP://Reg.Example:5000'] });
    expect(o).toMatchObject({
      requestTimeoutMs: 30_000,
      retries: 3,
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 5_000,
      maxRetryAfterMs: 60_000,
      platform: { os: 'linux', architecture: 'amd64' },
      maxManifestBytes: 4 * 1024 * 1024,
      userAgent: 'agentbox-resolver-registry/0.1.0',
    });
    expect([...o.insecureRegistries]).toEqual(['reg.example:5000']);
  });
});
