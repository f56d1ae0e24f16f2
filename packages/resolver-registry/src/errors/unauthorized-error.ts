import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** The registry refused the credentials (or their absence): HTTP 401 after authenticating; never reported as a 404. */
export class UnauthorizedError extends RegistryError {
  override readonly code = 'Unauthorized';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
