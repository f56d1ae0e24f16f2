import { AgentboxError } from './agentbox-error.js';

/** An image reference or image ID does not follow the docker reference grammar. */
export class InvalidReferenceError extends AgentboxError {
  override readonly code = 'InvalidReference';
  /** The input that was rejected, as given. */
  readonly input: string;

  constructor(input: string, reason: string) {
    super(`invalid image reference ${JSON.stringify(input)}: ${reason}`);
    this.input = input;
  }
}
