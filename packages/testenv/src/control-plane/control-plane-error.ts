import { AgentboxError } from '@agentbox/core';

/** Stable codes of the control-plane harness's failures. */
export type ControlPlaneErrorCode =
  | 'BinariesUnavailable'
  | 'ControlPlaneStartFailed'
  | 'CrdNotEstablished'
  | 'CrdInvalid';

/** A failure to build, start or prepare the test control plane; the message names the step and the log tails. */
export class ControlPlaneError extends AgentboxError {
  declare readonly code: ControlPlaneErrorCode;

  constructor(code: ControlPlaneErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, { code, ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
  }
}
