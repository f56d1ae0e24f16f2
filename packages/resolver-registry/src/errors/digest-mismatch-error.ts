import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** A manifest body does not hash to the digest it was fetched by (or announced with). */
export class DigestMismatchError extends RegistryError {
  override readonly code = 'DigestMismatch';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: true });
  }
}
