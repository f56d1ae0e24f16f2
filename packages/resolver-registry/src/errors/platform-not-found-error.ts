import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** An image index has no manifest for the requested platform. */
export class PlatformNotFoundError extends RegistryError {
  override readonly code = 'PlatformNotFound';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
