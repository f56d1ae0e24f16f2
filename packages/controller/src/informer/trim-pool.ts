import type { SandboxPool } from '../pool/sandbox-pool.js';

/**
 * Drops what the controller never reads from a SandboxPool (`metadata.managedFields`); spec and status stay
 * whole, the reconcile reads them all.
 */
export function trimPool(obj: unknown): SandboxPool {
  const pool = (obj ?? {}) as SandboxPool & { metadata?: Record<string, unknown> };
  if (!pool.metadata || !('managedFields' in pool.metadata)) return pool;
  const { managedFields: _dropped, ...metadata } = pool.metadata;
  return { ...pool, metadata } as SandboxPool;
}
