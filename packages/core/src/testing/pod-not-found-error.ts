import { AgentboxError } from '../errors/agentbox-error.js';

/** HTTP 404 of the in-memory PodClient. */
export class PodNotFoundError extends AgentboxError {
  override readonly code = 'NotFound';
  /** HTTP status, as an API server would answer. */
  readonly statusCode = 404;

  constructor(key: string) {
    super(`pods "${key}" not found`);
  }
}
