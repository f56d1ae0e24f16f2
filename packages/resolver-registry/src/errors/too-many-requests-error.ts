import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** The registry kept answering 429 after every retry (or asked to wait longer than allowed). */
export class TooManyRequestsError extends RegistryError {
  override readonly code = 'TooManyRequests';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: true });
  }
}
