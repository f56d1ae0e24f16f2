import { AgentboxError } from '@agentbox/core';

/** Stable codes of a simulated image pull's failure. */
export type ImagePullErrorCode =
  | 'ImageNotFound'
  | 'ImagePullUnauthorized'
  | 'ImagePullFailed'
  | 'InvalidImageName';

/** A simulated pull failed: the message is what kubelet would put in `state.waiting.message`. */
export class ImagePullError extends AgentboxError {
  declare readonly code: ImagePullErrorCode;

  constructor(code: ImagePullErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, {
      code,
      retryable: code === 'ImagePullFailed',
      ...(options?.cause ? { cause: options.cause } : {}),
    });
  }
}
