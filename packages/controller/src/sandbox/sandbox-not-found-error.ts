import { AgentboxError } from '@agentbox/core';

/** No pool pod carries the sandbox id (or the named pod does not exist). */
export class SandboxNotFoundError extends AgentboxError {
  override readonly code = 'SandboxNotFound';
  /** Namespace searched. */
  readonly namespace: string;
  /** The sandbox id or `pod/<name>` that was looked for. */
  readonly ref: string;

  constructor(namespace: string, ref: string, options: { cause?: unknown } = {}) {
    super(`sandbox ${ref} not found in namespace ${namespace}`, options);
    this.namespace = namespace;
    this.ref = ref;
  }
}
