import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNodeKubeConfig, kubeConfigLike, needsClientNode } from './kube-config-like.js';
import { type LoadKubeConfigOptions, resolveKubeConfig } from './resolve-kube-config.js';

/**
 * Loads the kubeconfig (resolveKubeConfig's order, controller-runtime's by default) as the KubeConfig that
 * createKubeClient takes, without loading `@kubernetes/client-node`: tokens, token files, client certificates
 * and basic auth are served from the resolved entries. A user entry with an exec plugin or an auth provider
 * loads client-node on the first credential request and delegates to it. Only `getCurrentCluster` and
 * `applyToHTTPSOptions` are served: hand the result to createKubeClient, not to client-node's API classes.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const resolved = resolveKubeConfig(options);
  const like = kubeConfigLike(resolved);
  if (!needsClientNode(resolved)) return like;
  let full: Promise<KubeConfig> | undefined;
  const lazy = {
    getCurrentCluster: () => like.getCurrentCluster(),
    async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
      full ??= clientNodeKubeConfig(resolved);
      await (await full).applyToHTTPSOptions(opts);
    },
  };
  return lazy as unknown as KubeConfig;
}
