import { AgentboxError } from '@agentbox/core';

/** Stable codes of the real node's failures. */
export type RealNodeErrorCode =
  /** This host cannot run a real node (not Linux, not root, a binary or package missing): the message says which. */
  | 'RealNodeUnavailable'
  /** containerd or kubelet did not start, or the Node never became Ready: the message carries the log tails. */
  | 'RealNodeStartFailed'
  /** Undoing the node's host changes failed: the message carries the cleanup log. */
  | 'RealNodeCleanupFailed';

/** A failure of the real node harness (kubelet + containerd); never a reason to skip a test silently. */
export class RealNodeError extends AgentboxError {
  declare readonly code: RealNodeErrorCode;

  constructor(code: RealNodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, { code, ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
  }
}
