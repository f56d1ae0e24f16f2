import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** The registry could not be reached or kept failing with 5xx after every retry. */
export class RegistryUnavailableError extends RegistryError {
  override readonly code = 'RegistryUnavailable';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: true });
  }
}
