import { AgentboxError } from '@agentbox/core';

/** The SandboxPool a claim or release names does not exist. */
export class PoolNotFoundError extends AgentboxError {
  override readonly code = 'PoolNotFound';
  /** Namespace of the pool. */
  readonly namespace: string;
  /** Name of the pool. */
  readonly pool: string;

  constructor(namespace: string, pool: string, options: { cause?: unknown } = {}) {
    super(`sandbox pool ${namespace}/${pool} not found`, options);
    this.namespace = namespace;
    this.pool = pool;
  }
}
