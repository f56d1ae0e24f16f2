import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** A manifest is larger than the allowed bound (4 MiB by default); it is not read. */
export class ManifestTooLargeError extends RegistryError {
  override readonly code = 'ManifestTooLarge';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
