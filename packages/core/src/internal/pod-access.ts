// Null-safe readers over a structural pod: a pod missing metadata, spec, status, labels or annotations (or
// holding the wrong type there) reads as empty, never as a TypeError.
import type { Pod, PodContainer, PodContainerStatus } from '../ports/pod.js';

/** `namespace/name` of a pod for messages. */
export function podKey(pod: Pod | undefined): string {
  const meta = pod?.metadata;
  const name = typeof meta?.name === 'string' && meta.name !== '' ? meta.name : '<unnamed>';
  return typeof meta?.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/${name}` : name;
}

/** A label value, or undefined. */
export function labelOf(pod: Pod | undefined, key: string): string | undefined {
  return stringEntry(pod?.metadata?.labels, key);
}

/** An annotation value, or undefined. */
export function annotationOf(pod: Pod | undefined, key: string): string | undefined {
  return stringEntry(pod?.metadata?.annotations, key);
}

/** The spec containers that are objects. */
export function containersOf(pod: Pod | undefined): PodContainer[] {
  const list = pod?.spec?.containers;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/** The container statuses that are objects. */
export function containerStatusesOf(pod: Pod | undefined): PodContainerStatus[] {
  const list = pod?.status?.containerStatuses;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/** The status of the named container, or undefined. */
export function containerStatusOf(pod: Pod | undefined, name: string): PodContainerStatus | undefined {
  return containerStatusesOf(pod).find((s) => s.name === name);
}

/** The spec image of the named container; undefined when the container is absent. */
export function specImageOf(pod: Pod | undefined, name: string): string | undefined {
  const container = containersOf(pod).find((c) => c.name === name);
  return container === undefined ? undefined : str(container.image);
}

/** A string field, or '' when absent or not a string. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringEntry(map: unknown, key: string): string | undefined {
  if (!isObject(map) || !Object.hasOwn(map, key)) return undefined;
  const value = (map as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
