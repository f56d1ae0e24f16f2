import { SandboxPhaseStarting } from './constants.js';

/** What triggerUpdateWithOptions changes on a pod (SPEC 2.1). */
export interface UpdateOptions {
  /** Container name → new image. Default: none (a metadata-only update). */
  containerImages?: Readonly<Record<string, string>>;
  /** Labels to set. Default: none. */
  labels?: Readonly<Record<string, string>>;
  /** Annotations to set. Default: none. */
  annotations?: Readonly<Record<string, string>>;
  /** Label keys to remove (removal wins over `labels`). Default: none. */
  removeLabels?: readonly string[];
  /** Annotation keys to remove (removal wins over `annotations`). Default: none. */
  removeAnnotations?: readonly string[];
  /**
   * Sandbox phase the pod reaches once the update completes. Default: '' — the state records `running`,
   * and a metadata-only update leaves the phase label alone.
   */
  targetPodPhase?: string;
  /**
   * Phase label (and state phase) while the images roll in. Default: `starting`. Passing `starting`
   * explicitly also enables the same-image fast path.
   */
  updatePodPhase?: string;
  /** Refuse (UnexpectedPodPhaseError, nothing written) unless the phase label equals this. Default: no check. */
  expectedCurrentSandboxPhase?: string;
  /** Return a 409 conflict at once instead of re-reading and retrying. Default: false. */
  disableRetry?: boolean;
}

/** UpdateOptions with every default applied. */
export interface ResolvedUpdateOptions {
  containerImages: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  removeLabels: readonly string[];
  removeAnnotations: readonly string[];
  targetPodPhase: string;
  updatePodPhase: string;
  /** True only when `updatePodPhase: 'starting'` was passed literally (SPEC 2.1 step 6). */
  fastPathEnabled: boolean;
  expectedCurrentSandboxPhase: string;
  disableRetry: boolean;
}

/** Applies every default of UpdateOptions, in one place. */
export function resolveUpdateOptions(options: UpdateOptions | undefined): ResolvedUpdateOptions {
  const o = options ?? {};
  return {
    containerImages: o.containerImages ?? {},
    labels: o.labels ?? {},
    annotations: o.annotations ?? {},
    removeLabels: o.removeLabels ?? [],
    removeAnnotations: o.removeAnnotations ?? [],
    targetPodPhase: o.targetPodPhase ?? '',
    updatePodPhase: o.updatePodPhase || SandboxPhaseStarting,
    fastPathEnabled: o.updatePodPhase === SandboxPhaseStarting,
    expectedCurrentSandboxPhase: o.expectedCurrentSandboxPhase ?? '',
    disableRetry: o.disableRetry ?? false,
  };
}
