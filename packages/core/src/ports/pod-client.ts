import type { Pod } from './pod.js';

/**
 * The two API calls the phase engine needs. A conflict (stale `resourceVersion`) must surface as an error
 * for which `isConflictError` is true.
 */
export interface PodClient {
  /** Reads the pod as currently stored by the API server. */
  getPod(namespace: string, name: string): Promise<Pod>;
  /** Full update (PUT) guarded by `metadata.resourceVersion`; resolves to the pod as stored. */
  replacePod(pod: Pod): Promise<Pod>;
}
