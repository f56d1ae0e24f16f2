import { AgentboxError } from '@agentbox/core';

/** The kubeconfig could not be read or names no usable context (the message never quotes its contents). */
export class KubeconfigInvalidError extends AgentboxError {
  override readonly code = 'KubeconfigInvalid';
}
