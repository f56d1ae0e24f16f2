import type { ResolvedUpdateOptions } from '../update-options.js';
import type { EditablePod } from './clone-pod.js';

/** Sets labels and annotations, then removes keys (removal wins); true when something changed. */
export function applyMetadataChanges(pod: EditablePod, options: ResolvedUpdateOptions): boolean {
  const { labels, annotations } = pod.metadata;
  let changed = setAll(labels, options.labels);
  changed = setAll(annotations, options.annotations) || changed;
  changed = removeAll(labels, options.removeLabels) || changed;
  return removeAll(annotations, options.removeAnnotations) || changed;
}

function setAll(target: Record<string, string>, values: Readonly<Record<string, string>>): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(values)) {
    if (!Object.hasOwn(target, key) || target[key] !== value) {
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      changed = true;
    }
  }
  return changed;
}

function removeAll(target: Record<string, string>, keys: readonly string[]): boolean {
  let changed = false;
  for (const key of keys) {
    if (Object.hasOwn(target, key)) {
      delete target[key];
      changed = true;
    }
  }
  return changed;
}
