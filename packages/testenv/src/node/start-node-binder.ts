import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

/** Options of {@link startNodeBinder}. */
export interface NodeBinderOptions {
  /** The node every unscheduled pod is bound to (a real node's `nodeName`). Required. */
  nodeName: string;
  /** Only pods of this namespace. Default: every namespace. */
  namespace?: string;
  /** How often unscheduled pods are listed. Default: 200 ms. */
  intervalMs?: number;
}

/** A running node binder. */
export interface NodeBinder {
  /** Pods bound so far (`namespace/name`). */
  bound(): readonly string[];
  /** Background failures so far (a healthy run has none). */
  errors(): readonly unknown[];
  stop(): Promise<void>;
}

/**
 * The one-node scheduler the test control plane lacks: binds every pod without `spec.nodeName`
 * to `nodeName` through `pods/binding`, so pods made by a controller from a template that names
 * no node run on a real node. It lists unscheduled pods (field selector `spec.nodeName=`) every
 * `intervalMs`; a pod someone else bound first (409) is left alone.
 */
export async function startNodeBinder(
  kubeConfig: KubeConfig,
  options: NodeBinderOptions,
): Promise<NodeBinder> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const intervalMs = options.intervalMs ?? 200;
  const bound: string[] = [];
  const errors: unknown[] = [];
  let stopped = false;
  const once = async () => {
    const fieldSelector = 'spec.nodeName=';
    const list =
      options.namespace === undefined
        ? await core.listPodForAllNamespaces({ fieldSelector })
        : await core.listNamespacedPod({ namespace: options.namespace, fieldSelector });
    for (const pod of list.items) {
      const { name, namespace, uid, deletionTimestamp } = pod.metadata ?? {};
      if (name === undefined || namespace === undefined || deletionTimestamp) continue;
      try {
        await core.createNamespacedBinding({
          namespace,
          body: {
            metadata: { name, uid },
            target: { apiVersion: 'v1', kind: 'Node', name: options.nodeName },
          },
        });
        bound.push(`${namespace}/${name}`);
      } catch (err) {
        if (!(err instanceof ApiException && (err.code === 409 || err.code === 404))) throw err;
      }
    }
  };
  await once();
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (stopped) break;
      await once().catch((err: unknown) => {
        errors.push(err);
      });
    }
  })();
  return {
    bound: () => [...bound],
    errors: () => [...errors],
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
