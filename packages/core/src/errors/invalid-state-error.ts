import { AgentboxError } from './agentbox-error.js';

/** The in-place update state annotation of a pod is present but cannot be parsed. */
export class InvalidStateError extends AgentboxError {
  override readonly code = 'InvalidState';
  /** `namespace/name` of the pod that carries the annotation. */
  readonly pod: string;

  constructor(pod: string, reason: string, options: { cause?: unknown } = {}) {
    super(`pod ${pod}: invalid in-place update state annotation: ${reason}`, options);
    this.pod = pod;
  }
}
