import { AgentboxError } from '@agentbox/core';

/** A claim option is malformed (a sandbox id that is not a label value, a negative timeout); nothing was written. */
export class InvalidClaimError extends AgentboxError {
  override readonly code = 'InvalidClaim';
}
