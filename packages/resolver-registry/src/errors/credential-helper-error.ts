import { AgentboxError } from '@agentbox/core';

/** A docker credential helper could not be run or answered badly; its output is never included. */
export class CredentialHelperError extends AgentboxError {
  override readonly code = 'CredentialHelper';
  /** The helper program, e.g. `docker-credential-pass`. */
  readonly helper: string;

  constructor(helper: string, reason: string, options: { cause?: unknown } = {}) {
    super(`credential helper ${helper}: ${reason}`, options);
    this.helper = helper;
  }
}
