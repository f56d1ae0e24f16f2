import type { Pod, PodMetadata } from '@agentbox/core';

/** A condition of the pool status (metav1.Condition). */
export interface PoolCondition {
  type: 'Available' | 'Scaling' | 'Degraded' | string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The pod template of a pool (a PodTemplateSpec as JSON). */
export interface PoolPodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: NonNullable<Pod['spec']> & Record<string, unknown>;
}

/** `spec` of a SandboxPool (the CRD's schema). */
export interface SandboxPoolSpec {
  replicas: number;
  template?: PoolPodTemplate;
  idleImage?: string;
  podCreationImagePolicy?: 'IdleImage' | 'PoolDefaultImage';
  defaultStartupTimeout?: string;
  defaultIdleTimeout?: string;
  templateName?: string;
  /** Idle pods replaced at once when the template changes: a count or a percentage. Default: `25%`. */
  maxUnavailable?: number | string;
}

/** `status` of a SandboxPool. */
export interface SandboxPoolStatus {
  phase?: 'Pending' | 'Ready' | 'ScalingUp' | 'ScalingDown' | 'Degraded' | 'Terminating';
  observedGeneration?: number;
  idleReplicas?: number;
  unavailableIdleReplicas?: number;
  runningReplicas?: number;
  startingReplicas?: number;
  stoppingReplicas?: number;
  failedReplicas?: number;
  selector?: string;
  labelSelector?: { matchLabels?: Record<string, string> };
  phaseSelectors?: Record<string, string>;
  conditions?: PoolCondition[];
}

/** A SandboxPool object as the API server returns it. */
export interface SandboxPool {
  apiVersion?: string;
  kind?: string;
  metadata?: PodMetadata & { generation?: number };
  spec?: SandboxPoolSpec;
  status?: SandboxPoolStatus;
}
