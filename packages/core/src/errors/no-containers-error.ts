import { AgentboxError } from './agentbox-error.js';

/** Images were requested for a pod that has no containers. */
export class NoContainersError extends AgentboxError {
  override readonly code = 'NoContainers';

  constructor() {
    super('pod has no containers');
  }
}
