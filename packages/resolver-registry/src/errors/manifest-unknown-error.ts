import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/** The tag or digest does not exist in the repository (HTTP 404 `MANIFEST_UNKNOWN` / `NAME_UNKNOWN`). */
export class ManifestUnknownError extends RegistryError {
  override readonly code = 'ManifestUnknown';

  constructor(what: string, context: RegistryErrorContext) {
    super(what, context, { retryable: false });
  }
}
