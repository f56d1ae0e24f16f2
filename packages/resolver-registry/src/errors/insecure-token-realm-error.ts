import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** A bearer challenge named a token realm credentials may not be sent to (plain HTTP for a secure registry). */
export class InsecureTokenRealmError extends RegistryError {
  override readonly code = 'InsecureTokenRealm';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
