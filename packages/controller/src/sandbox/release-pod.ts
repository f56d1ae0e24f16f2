import {
  type Clock,
  getSandboxPhase,
  IdleCleanupAnnotationKeys,
  InplaceUpdatePhaseCompleted,
  isConflictError,
  ManagedByLabelKey,
  normalizeImage,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  type PodClient,
  SandboxContainerIDAnnotationKey,
  SandboxExitCodeAnnotationKey,
  SandboxFailureMessageAnnotationKey,
  SandboxFailureReasonAnnotationKey,
  SandboxIDLabelKey,
  SandboxIdleTimeoutAnnotationKey,
  SandboxLastActiveAnnotationKey,
  SandboxManagedAnnotationKeysAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxPhaseIdle,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
  SandboxPhaseStopping,
  SandboxRunningImagesAnnotationKey,
  SandboxScaleDownProtectedAnnotationKey,
  type SandboxStopReason,
  SandboxStopReasonAnnotationKey,
  SandboxStopReasonCanceled,
  SandboxStopReasonCompleted,
  SandboxTerminatedAtAnnotationKey,
  serializeInplaceUpdateState,
  systemClock,
  triggerUpdateWithOptions,
  UnexpectedPodPhaseError,
  type UpdateOptions,
} from '@agentbox/core';
import type { SandboxPool } from '../pool/sandbox-pool.js';
import { poolIdleImages } from './internal/claim-images.js';
import { parseKeyList, sortedJsonObject } from './internal/claim-metadata.js';
import { formatRfc3339Seconds } from './internal/rfc3339.js';
import { withFirstRead } from './internal/with-first-read.js';

/** How a pod is released. */
export interface ReleasePodOptions {
  /** Default: `Completed` for a running pod, `Canceled` for a starting one. */
  stopReason?: SandboxStopReason;
  /** Machine-readable cause (`StartupTimeout`, `IdleTimeout`, `OOMKilled`, `UnexpectedRestart`). Default: none. */
  failureReason?: string;
  /** Human-readable cause (e.g. the first reason of explainUpdate). Default: none. */
  failureMessage?: string;
  /** Exit code of the workload container. Default: none. */
  exitCode?: number;
  /**
   * Release only while the pod is in this sandbox phase (a controller timeout decided on a cached copy: if
   * the pod has moved on since, nothing is written). Default: `starting` or `running`.
   */
  expectedPhase?: string;
  /** Release only while the pod carries this sandbox id (it may have been released and claimed again). Default: any. */
  sandboxId?: string;
  /** Source of `terminated-at`. Default: the system clock. */
  clock?: Clock;
  /** Aborts between requests. Default: none. */
  signal?: AbortSignal;
  /** Tries when a concurrent writer wins the PUT. Default: 5. */
  attempts?: number;
}

/** What releasePod did. */
export interface ReleasePodResult {
  /** The pod as stored after the release, or as read when nothing was written. */
  pod: Pod;
  /** True when this call wrote the release. */
  released: boolean;
}

/**
 * Releases a claimed pod (CONTROLLER.md §6, T5/T6): images back to the pool's idle images (container 0 =
 * `idleImage`, the others the template's), target `idle` through `stopping`, with the stop record
 * (`stop-reason`, `terminated-at`, `running-images`, `container-id`, failure reason/message, exit code) and
 * the claim's own labels and annotations removed. Reads the pod fresh and decides on that copy; a lost
 * race re-reads and decides again. Nothing is written (T8) for a pod that is not starting or running
 * (already stopping, idle or failed), not in `expectedPhase`, or no longer carrying `sandboxId`.
 *
 * A sandbox claimed through the same-image fast path runs the idle images already, so there is nothing
 * for kubelet to replace; it goes to `idle` in one write that also removes the whole claim identity
 * (never a jump to idle that leaves the identity behind).
 *
 * The controller's timeouts (StartupTimeout, IdleTimeout, UnexpectedRestart) use this function too.
 */
export async function releasePod(
  client: PodClient,
  pod: Pod,
  pool: SandboxPool,
  options: ReleasePodOptions = {},
): Promise<ReleasePodResult> {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 5;
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const fresh = await client.getPod(namespace, name);
    const phase = getSandboxPhase(fresh);
    const releasable = phase === SandboxPhaseStarting || phase === SandboxPhaseRunning;
    if (
      !releasable ||
      (options.expectedPhase !== undefined && phase !== options.expectedPhase) ||
      (options.sandboxId !== undefined && fresh.metadata?.labels?.[SandboxIDLabelKey] !== options.sandboxId)
    ) {
      return { pod: fresh, released: false };
    }
    const update = releaseUpdate(fresh, pool, phase, options, clock.now());
    try {
      const stored = await triggerUpdateWithOptions(withFirstRead(client, fresh), fresh, update, {
        clock,
        signal: options.signal,
      });
      return { pod: stored, released: stored !== fresh };
    } catch (err) {
      const lost = isConflictError(err) || err instanceof UnexpectedPodPhaseError;
      if (!lost || attempt >= attempts) throw err;
    }
  }
}

/** The trigger options of a release of `pod` (in sandbox phase `phase`) decided at `now`. */
export function releaseUpdate(
  pod: Pod,
  pool: SandboxPool,
  phase: string,
  options: Pick<ReleasePodOptions, 'stopReason' | 'failureReason' | 'failureMessage' | 'exitCode'>,
  now: Date,
): UpdateOptions {
  const annotations = pod.metadata?.annotations ?? {};
  const idle = poolIdleImages(pool, pod);
  const current: Record<string, string> = {};
  const changed: Record<string, string> = {};
  for (const c of pod.spec?.containers ?? []) {
    const name = c.name ?? '';
    current[name] = c.image ?? '';
    const target = idle[name] ?? '';
    if (target !== '' && !sameImage(current[name], target)) changed[name] = target;
  }
  const first = pod.spec?.containers?.[0]?.name ?? '';
  const containerID = pod.status?.containerStatuses?.find((s) => s.name === first)?.containerID;
  const stop: Record<string, string> = {
    [SandboxStopReasonAnnotationKey]:
      options.stopReason ??
      (phase === SandboxPhaseStarting ? SandboxStopReasonCanceled : SandboxStopReasonCompleted),
    [SandboxTerminatedAtAnnotationKey]: formatRfc3339Seconds(now),
    [SandboxRunningImagesAnnotationKey]: sortedJsonObject(current),
  };
  if (containerID) stop[SandboxContainerIDAnnotationKey] = containerID;
  if (options.failureReason) stop[SandboxFailureReasonAnnotationKey] = options.failureReason;
  if (options.failureMessage) stop[SandboxFailureMessageAnnotationKey] = options.failureMessage;
  if (options.exitCode !== undefined) stop[SandboxExitCodeAnnotationKey] = String(options.exitCode);

  // The claim's own keys go now; the identity (sandbox-id, claimed-at, …) stays until the pod is idle, where
  // markUpdateCompleted removes it in the completing write.
  const removeLabels = [
    ...parseKeyList(annotations[SandboxManagedLabelKeysAnnotationKey]),
    ManagedByLabelKey,
  ];
  const removeAnnotations = [
    ...parseKeyList(annotations[SandboxManagedAnnotationKeysAnnotationKey]),
    SandboxManagedLabelKeysAnnotationKey,
    SandboxManagedAnnotationKeysAnnotationKey,
    SandboxIdleTimeoutAnnotationKey,
    SandboxLastActiveAnnotationKey,
    SandboxScaleDownProtectedAnnotationKey,
  ].filter((key) => !Object.hasOwn(stop, key));

  if (Object.keys(changed).length > 0) {
    return {
      containerImages: changed,
      annotations: stop,
      removeLabels,
      removeAnnotations,
      targetPodPhase: SandboxPhaseIdle,
      updatePodPhase: SandboxPhaseStopping,
      expectedCurrentSandboxPhase: phase,
      disableRetry: true,
    };
  }
  // Fast-path sandbox: already at the idle images, straight to idle with its identity removed in this write.
  const state = serializeInplaceUpdateState({
    phase: InplaceUpdatePhaseCompleted,
    targetPodPhase: SandboxPhaseIdle,
    updateTimestamp: now,
  });
  return {
    annotations: { [PodAnnotationInPlaceUpdateStateKey]: state },
    removeLabels: [...removeLabels, SandboxIDLabelKey],
    removeAnnotations: [...removeAnnotations, ...IdleCleanupAnnotationKeys],
    targetPodPhase: SandboxPhaseIdle,
    expectedCurrentSandboxPhase: phase,
    disableRetry: true,
  };
}

function sameImage(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return normalizeImage(a) === normalizeImage(b);
  } catch {
    return false;
  }
}
