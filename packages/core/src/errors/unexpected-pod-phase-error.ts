import { AgentboxError } from './agentbox-error.js';

/**
 * The pod is not in the phase the operation needs: its sandbox phase label differs from the expected one,
 * or (same-image fast path) the pod is not yet `Running`. Retryable: a claimer moves on to another pod.
 */
export class UnexpectedPodPhaseError extends AgentboxError {
  override readonly code = 'UnexpectedPodPhase';
  /** The phase that was required (sandbox phase, or `Running` for the pod phase). */
  readonly expected: string;
  /** The phase that was found (empty when absent). */
  readonly actual: string;

  constructor(expected: string, actual: string, options: { cause?: unknown } = {}) {
    super('pod phase does not match expected value', { ...options, retryable: true });
    this.expected = expected;
    this.actual = actual;
  }
}
