import {
  InplaceUpdatePhaseCompleted,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxLastActiveAnnotationKey,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxStartedAtAnnotationKey,
} from '../constants.js';
import { ContainerNotFoundError } from '../errors/container-not-found-error.js';
import { NoContainersError } from '../errors/no-containers-error.js';
import { TargetImageRequiredError } from '../errors/target-image-required-error.js';
import { UnexpectedPodPhaseError } from '../errors/unexpected-pod-phase-error.js';
import type { InplaceUpdateContainerStatus, InplaceUpdateState } from '../state/inplace-update-state.js';
import { serializeInplaceUpdateState } from '../state/serialize-inplace-update-state.js';
import type { ResolvedUpdateOptions } from '../update-options.js';
import { applyMetadataChanges } from './apply-metadata-changes.js';
import { buildStableContainerStatuses } from './build-stable-container-statuses.js';
import type { EditablePod } from './clone-pod.js';
import { containerStatusOf, containersOf, str } from './pod-access.js';
import { formatRfc3339Seconds } from './rfc3339.js';
import { sameImage } from './same-image.js';

/**
 * Edits a freshly read pod per SPEC 2.1 steps 1-6 and tells whether anything changed. Throws the typed
 * validation errors before the caller writes anything.
 */
export function applyUpdate(pod: EditablePod, options: ResolvedUpdateOptions, now: Date): boolean {
  const { labels } = pod.metadata;
  const expected = options.expectedCurrentSandboxPhase;
  if (expected !== '' && labels[SandboxPhaseLabelKey] !== expected) {
    throw new UnexpectedPodPhaseError(expected, labels[SandboxPhaseLabelKey] ?? '');
  }
  const images = Object.entries(options.containerImages);
  if (images.length > 0 && containersOf(pod).length === 0) throw new NoContainersError();
  if (images.length > 0 && options.fastPathEnabled && allImagesMatch(pod, images)) {
    return applySameImageFastPath(pod, options, now);
  }

  // 2. Swap the images, remembering what each container ran so completion can tell the new one apart.
  const targets: [string, string][] = [];
  const last: [string, InplaceUpdateContainerStatus][] = [];
  for (const [name, image] of images) {
    if (image === '') throw new TargetImageRequiredError(name);
    const container = containersOf(pod).find((c) => c.name === name);
    if (container === undefined) throw new ContainerNotFoundError(name);
    if (container.image === image) continue;
    const status = containerStatusOf(pod, name);
    const recorded: InplaceUpdateContainerStatus = {};
    if (str(status?.imageID) !== '') recorded.imageID = str(status?.imageID);
    if (str(status?.containerID) !== '') recorded.containerID = str(status?.containerID);
    last.push([name, recorded]);
    targets.push([name, image]);
    container.image = image;
  }

  // 3. Metadata: set, then remove.
  let changed = applyMetadataChanges(pod, options) || targets.length > 0;

  // 4. An image changed: record the state and the intermediate phase.
  if (targets.length > 0) {
    const state: InplaceUpdateState = {
      phase: options.updatePodPhase,
      targetImages: Object.fromEntries(targets),
      targetPodPhase: options.targetPodPhase || SandboxPhaseRunning,
      updateTimestamp: now,
      lastContainerStatuses: Object.fromEntries(last),
    };
    if (targets.length === 1) state.targetImage = targets[0]![1];
    changed =
      setAnnotation(pod, PodAnnotationInPlaceUpdateStateKey, serializeInplaceUpdateState(state)) || changed;
    return setLabel(pod, SandboxPhaseLabelKey, options.updatePodPhase) || changed;
  }

  // 5. Metadata only: move the phase label directly, leaving the state annotation alone.
  if (options.targetPodPhase !== '')
    changed = setLabel(pod, SandboxPhaseLabelKey, options.targetPodPhase) || changed;
  return changed;
}

// 6. Every requested image is already running: go straight to the target phase with a completed state.
function applySameImageFastPath(pod: EditablePod, options: ResolvedUpdateOptions, now: Date): boolean {
  if (pod.status?.phase !== 'Running') {
    // Unlike the reference (an untyped error): typed and retryable, so a claimer moves on to another pod.
    throw new UnexpectedPodPhaseError('Running', str(pod.status?.phase));
  }
  const target = options.targetPodPhase || SandboxPhaseRunning;
  let changed = applyMetadataChanges(pod, options);
  changed = setLabel(pod, SandboxPhaseLabelKey, target) || changed;
  const state: InplaceUpdateState = {
    phase: InplaceUpdatePhaseCompleted,
    targetPodPhase: target,
    updateTimestamp: now,
  };
  const stable = buildStableContainerStatuses(pod, options.containerImages);
  if (stable !== undefined) state.stableContainerStatuses = stable;
  changed =
    setAnnotation(pod, PodAnnotationInPlaceUpdateStateKey, serializeInplaceUpdateState(state)) || changed;
  if (target === SandboxPhaseRunning) {
    const stamp = formatRfc3339Seconds(now);
    changed = setAnnotation(pod, SandboxStartedAtAnnotationKey, stamp) || changed;
    changed = setAnnotation(pod, SandboxLastActiveAnnotationKey, stamp) || changed;
  }
  return changed;
}

function allImagesMatch(pod: EditablePod, images: [string, string][]): boolean {
  return images.every(([name, image]) => {
    const container = containersOf(pod).find((c) => c.name === name);
    return image !== '' && container !== undefined && sameImage(str(container.image), image);
  });
}

function setLabel(pod: EditablePod, key: string, value: string): boolean {
  if (pod.metadata.labels[key] === value) return false;
  pod.metadata.labels[key] = value;
  return true;
}

function setAnnotation(pod: EditablePod, key: string, value: string): boolean {
  if (pod.metadata.annotations[key] === value) return false;
  pod.metadata.annotations[key] = value;
  return true;
}
