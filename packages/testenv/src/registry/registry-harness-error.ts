import { AgentboxError } from '@agentbox/core';

/** Stable codes of the errors the registry harness throws. */
export type RegistryHarnessErrorCode =
  | 'RegistryStartFailed'
  | 'RegistryHttpError'
  | 'TokenRequestFailed'
  | 'InvalidProvidedRegistry';

/** Error thrown by the registry harness (start-up, pushes, token exchange), with a stable `code`. */
export class RegistryHarnessError extends AgentboxError {
  declare readonly code: RegistryHarnessErrorCode;
  /** HTTP status of the answer that caused the error, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: RegistryHarnessErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, { code, ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
    this.status = options?.status;
  }
}
