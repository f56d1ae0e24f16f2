import { AgentboxError } from '@agentbox/core';

/** A docker config file or pull secret exists but cannot be parsed; names the source, never its content. */
export class InvalidCredentialsConfigError extends AgentboxError {
  override readonly code = 'InvalidCredentialsConfig';
  /** The file path, or `pull secret <namespace>/<name>`. */
  readonly source: string;

  constructor(source: string, reason: string, options: { cause?: unknown } = {}) {
    super(`${source} ${reason}`, options);
    this.source = source;
  }
}
