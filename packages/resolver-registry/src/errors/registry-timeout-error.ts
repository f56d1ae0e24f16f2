import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** A request to the registry took longer than the request timeout. */
export class RegistryTimeoutError extends RegistryError {
  override readonly code = 'Timeout';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: true });
  }
}
