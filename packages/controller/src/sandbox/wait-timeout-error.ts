import { AgentboxError, type UpdateExplanation } from '@agentbox/core';

/** What a timed-out wait knew last. */
export interface WaitTimeoutDetails {
  sandboxId: string;
  pod: string;
  /** The phase waited for. */
  waitedFor: string;
  /** The phase the sandbox was in when the wait gave up. */
  phase: string;
  /** The wait's limit. */
  timeoutMs: number;
  /** explainUpdate's last answer for the pod, when it could be computed. */
  explanation?: UpdateExplanation | undefined;
  /** Its first pending reason in one line. */
  summary?: string | undefined;
  /** Go-style form of `timeoutMs` (`2m0s`), for the message. */
  timeoutText: string;
}

/**
 * A wait gave up: the sandbox did not reach the phase in time. The message says where it was and why
 * (`sandbox 0193… (pod p-x7k2q) still starting after 2m0s: container main: ImagePullBackOff: …`);
 * `explanation` carries the whole last explanation.
 */
export class WaitTimeoutError extends AgentboxError {
  override readonly code = 'WaitTimeout';
  readonly sandboxId: string;
  readonly pod: string;
  readonly waitedFor: string;
  readonly phase: string;
  readonly timeoutMs: number;
  readonly explanation: UpdateExplanation | undefined;

  constructor(details: WaitTimeoutDetails) {
    const who = `sandbox ${details.sandboxId || '<none>'} (pod ${details.pod})`;
    const why = details.summary ? `: ${details.summary}` : `, waiting for ${details.waitedFor}`;
    super(`${who} still ${details.phase} after ${details.timeoutText}${why}`, { retryable: true });
    this.sandboxId = details.sandboxId;
    this.pod = details.pod;
    this.waitedFor = details.waitedFor;
    this.phase = details.phase;
    this.timeoutMs = details.timeoutMs;
    this.explanation = details.explanation;
  }
}
