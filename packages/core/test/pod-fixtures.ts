// Builders for the pods of the unit tests: a pool pod with named containers and kubelet-like statuses.
import {
  type InplaceUpdateState,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  type PodContainerState,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
  serializeInplaceUpdateState,
} from '../src/index.js';
import { fakeDigest } from '../src/testing/index.js';

/** A container of a test pod: spec image plus what kubelet reports. */
export interface TestContainer {
  name: string;
  image: string;
  /** Status imageID; default `<image repo>@<fakeDigest(image)>`; null = no status at all. */
  imageID?: string | null;
  containerID?: string;
  restartCount?: number;
  state?: PodContainerState;
  /** Status `image`; default the spec image. */
  statusImage?: string;
}

/** What a test pod looks like. */
export interface TestPodInput {
  name?: string;
  namespace?: string;
  phase?: string;
  podPhase?: string;
  containers?: TestContainer[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  state?: InplaceUpdateState | string;
  creationTimestamp?: Date | string;
  pullSecrets?: string[];
}

/** The imageID kubelet (containerd) would report for `image` seeded with fakeDigest. */
export function imageIDOf(image: string): string {
  const at = image.lastIndexOf(':');
  return `docker.io/library/${at > 0 ? image.slice(0, at) : image}@${fakeDigest(image)}`;
}

/** Builds a pool pod. */
export function makePod(input: TestPodInput = {}): Pod {
  const containers = input.containers ?? [
    { name: 'sandbox', image: 'pause:3.10', containerID: 'containerd://c1' },
  ];
  const annotations: Record<string, string> = { ...input.annotations };
  if (input.state !== undefined) {
    annotations[PodAnnotationInPlaceUpdateStateKey] =
      typeof input.state === 'string' ? input.state : serializeInplaceUpdateState(input.state);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name ?? 'pool-a-1',
      namespace: input.namespace ?? 'sandboxes',
      uid: 'uid-1',
      creationTimestamp: input.creationTimestamp ?? '2025-12-31T00:00:00Z',
      labels: {
        [SandboxPoolLabelKey]: 'pool-a',
        ...(input.phase === undefined ? {} : { [SandboxPhaseLabelKey]: input.phase }),
        ...input.labels,
      },
      annotations,
    },
    spec: {
      containers: containers.map((c) => ({ name: c.name, image: c.image })),
      ...(input.pullSecrets ? { imagePullSecrets: input.pullSecrets.map((name) => ({ name })) } : {}),
    },
    status: {
      phase: input.podPhase ?? 'Running',
      containerStatuses: containers
        .filter((c) => c.imageID !== null)
        .map((c) => ({
          name: c.name,
          image: c.statusImage ?? c.image,
          imageID: c.imageID ?? imageIDOf(c.image),
          ...(c.containerID === undefined ? {} : { containerID: c.containerID }),
          restartCount: c.restartCount ?? 0,
          ready: true,
          state: c.state ?? { running: { startedAt: '2026-01-01T00:00:00Z' } },
        })),
    },
  };
}
