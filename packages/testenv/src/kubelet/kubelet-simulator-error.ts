import { AgentboxError } from '@agentbox/core';

/** Stable codes of the kubelet simulator's refusals. */
export type KubeletSimulatorErrorCode =
  | 'PodNotOnNode'
  | 'ContainerNotFound'
  | 'ContainerNotRunning'
  | 'PodGone';

/** A simulator action (OOM kill, crash, eviction, readiness) named a pod or container this node does not run. */
export class KubeletSimulatorError extends AgentboxError {
  declare readonly code: KubeletSimulatorErrorCode;

  constructor(code: KubeletSimulatorErrorCode, message: string) {
    super(message, { code });
  }
}
