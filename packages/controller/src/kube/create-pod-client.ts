import type { Pod, PodClient } from '@agentbox/core';
import type { KubeClient } from './kube-client.js';
import { podsPath } from './kube-paths.js';

/** Options of createPodClient. */
export interface CreatePodClientOptions {
  /** Aborts every request of this client. Default: none. */
  signal?: AbortSignal;
}

/** core's PodClient port over a KubeClient: a fresh GET, and a full PUT guarded by resourceVersion. */
export function createPodClient(kube: KubeClient, options: CreatePodClientOptions = {}): PodClient {
  return {
    getPod: (namespace, name) =>
      kube.request<Pod>({ path: podsPath(namespace, name), signal: options.signal }),
    replacePod: (pod) =>
      kube.request<Pod>({
        method: 'PUT',
        path: podsPath(pod.metadata?.namespace, pod.metadata?.name),
        body: pod,
        signal: options.signal,
      }),
  };
}
