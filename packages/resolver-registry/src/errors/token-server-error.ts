import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/**
 * The registry's token server (the realm of its Bearer challenge) answered with an error other than refusing
 * the credentials (a 404, a 5xx, a body above the bound, no token): the registry itself was not asked.
 * Retryable when the token server failed (5xx, 429).
 */
export class TokenServerError extends RegistryError {
  override readonly code = 'TokenServer';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, {
      retryable: context.status !== undefined && (context.status >= 500 || context.status === 429),
    });
  }
}
