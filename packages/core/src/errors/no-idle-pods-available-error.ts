import { AgentboxError } from './agentbox-error.js';

/** A claim found no idle sandbox in the pool; retryable once the pool has grown. */
export class NoIdlePodsAvailableError extends AgentboxError {
  override readonly code = 'NoIdlePodsAvailable';

  constructor(options: { cause?: unknown } = {}) {
    super('no idle sandboxes available for creating', { ...options, retryable: true });
  }
}
