import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** The credentials are valid but may not pull this repository (HTTP 403, or a token without the pull action). */
export class DeniedError extends RegistryError {
  override readonly code = 'Denied';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
