import { AgentboxError } from '@agentbox/core';

/** Why a sandbox cannot reach the phase a wait asked for. */
export interface SandboxStoppedDetails {
  sandboxId: string;
  pod: string;
  waitedFor: string;
  /** The sandbox phase the pod went to (`stopping`, `idle`, `failed`, `deleted`), or `reclaimed` for another sandbox. */
  phase: string;
  stopReason?: string | undefined;
  failureReason?: string | undefined;
  failureMessage?: string | undefined;
}

/**
 * While a wait was waiting for `running` (or `idle`), the sandbox went elsewhere: it was released (a
 * startup timeout, a release, a restart), its pod failed or was deleted. The message names why, e.g.
 * `sandbox 0193… (pod p-x7k2q) was stopped while waiting for running: Released (StartupTimeout: container
 * main: ImagePullBackOff: …)`.
 */
export class SandboxStoppedError extends AgentboxError {
  override readonly code = 'SandboxStopped';
  readonly sandboxId: string;
  readonly pod: string;
  readonly waitedFor: string;
  readonly phase: string;
  readonly stopReason: string | undefined;
  readonly failureReason: string | undefined;
  readonly failureMessage: string | undefined;

  constructor(details: SandboxStoppedDetails) {
    const who = `sandbox ${details.sandboxId || '<none>'} (pod ${details.pod})`;
    const what =
      {
        stopping: 'was stopped',
        idle: 'went back to idle',
        failed: 'failed',
        deleted: 'was deleted',
        reclaimed: 'was released and its pod claimed again',
      }[details.phase] ?? `went to ${details.phase}`;
    let why = details.stopReason ?? '';
    const failure = [details.failureReason, details.failureMessage].filter(Boolean).join(': ');
    if (failure) why = why ? `${why} (${failure})` : failure;
    super(`${who} ${what} while waiting for ${details.waitedFor}${why ? `: ${why}` : ''}`);
    this.sandboxId = details.sandboxId;
    this.pod = details.pod;
    this.waitedFor = details.waitedFor;
    this.phase = details.phase;
    this.stopReason = details.stopReason;
    this.failureReason = details.failureReason;
    this.failureMessage = details.failureMessage;
  }
}
