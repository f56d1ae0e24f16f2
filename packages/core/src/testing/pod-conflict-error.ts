import { AgentboxError } from '../errors/agentbox-error.js';

/** HTTP 409 of the in-memory PodClient: the write carried a stale resourceVersion. */
export class PodConflictError extends AgentboxError {
  override readonly code = 'Conflict';
  /** HTTP status, so isConflictError recognises it like an API server's answer. */
  readonly statusCode = 409;

  constructor(key: string) {
    super(`Operation cannot be fulfilled on pods "${key}": the object has been modified`, {
      retryable: true,
    });
  }
}
