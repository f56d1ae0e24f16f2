/** Stable codes of the errors the registry harness throws. */
export type RegistryHarnessErrorCode =
  | 'REGISTRY_START_FAILED'
  | 'REGISTRY_HTTP_ERROR'
  | 'TOKEN_REQUEST_FAILED'
  | 'INVALID_PROVIDED_REGISTRY';

/** Error thrown by the registry harness (start-up, pushes, token exchange), with a stable `code`. */
export class RegistryHarnessError extends Error {
  override readonly name = 'RegistryHarnessError';
  readonly code: RegistryHarnessErrorCode;
  /** HTTP status of the registry answer that caused the error, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: RegistryHarnessErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status;
  }
}
