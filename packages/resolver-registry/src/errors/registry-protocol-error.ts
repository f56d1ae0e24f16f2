import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** The registry (or its token server) answered something the distribution protocol does not allow. */
export class RegistryProtocolError extends RegistryError {
  override readonly code = 'RegistryProtocol';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
