import type { Pod, PodMetadata } from '../ports/pod.js';

/** A pod whose metadata maps exist, ready to be edited. */
export type EditablePod = Pod & {
  metadata: PodMetadata & { labels: Record<string, string>; annotations: Record<string, string> };
};

/**
 * A deep copy of `pod` with `metadata`, `labels` and `annotations` present, so an edit never touches an
 * object a cache may share; fields agentbox does not know are kept for the full update.
 */
export function clonePod(pod: Pod): EditablePod {
  const copy = structuredClone(pod) as Pod;
  const metadata = isRecord(copy.metadata) ? copy.metadata : {};
  metadata.labels = isRecord(metadata.labels) ? metadata.labels : {};
  metadata.annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  copy.metadata = metadata;
  return copy as EditablePod;
}

function isRecord<T>(value: T | undefined): value is T {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
