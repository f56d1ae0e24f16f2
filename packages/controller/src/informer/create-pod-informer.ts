import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import type { KubeClient } from '../kube/kube-client.js';
import { podsPath } from '../kube/kube-paths.js';
import { createInformer } from './create-informer.js';
import type { Informer, InformerOptions } from './informer.js';
import { trimPod } from './trim-pod.js';

/** Name of the pod informer's index by pool; its values are `namespace/poolName`. */
export const PodPoolIndex = 'pool';

/** Options of createPodInformer: the namespace (default: all) and any informer option to override. */
export interface PodInformerOptions extends Partial<Omit<InformerOptions<Pod>, 'kube' | 'path'>> {
  namespace?: string;
}

/** The pool key (`namespace/poolName`) of a pod, from its pool label; undefined when it has none. */
export function poolKeyOfPod(pod: Pod): string | undefined {
  const pool = pod.metadata?.labels?.[SandboxPoolLabelKey];
  return pool ? `${pod.metadata?.namespace ?? ''}/${pool}` : undefined;
}

/**
 * An informer of the pods that belong to a pool (label `agentbox.navix.sh/sandbox-pool` present), trimmed by
 * trimPod and indexed by pool (`byIndex(PodPoolIndex, 'namespace/pool')`).
 */
export function createPodInformer(kube: KubeClient, options: PodInformerOptions = {}): Informer<Pod> {
  const { namespace, ...overrides } = options;
  return createInformer<Pod>({
    labelSelector: SandboxPoolLabelKey,
    transform: trimPod,
    indexers: {
      [PodPoolIndex]: (pod) => {
        const key = poolKeyOfPod(pod);
        return key ? [key] : [];
      },
    },
    ...overrides,
    kube,
    path: podsPath(namespace),
  });
}
