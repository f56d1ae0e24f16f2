import { type LoadKubeConfigOptions, type ResolvedKubeConfig, resolveKubeConfig } from '@agentbox/controller';

export type {
  KubeconfigCluster,
  KubeconfigUser,
  LoadKubeConfigOptions,
  ResolvedKubeConfig,
} from '@agentbox/controller';

/**
 * Resolves the kubeconfig as kubectl does (`--kubeconfig`, else `KUBECONFIG` merged, else `~/.kube/config`,
 * else the in-cluster service account; then `--context`): the controller's loader in kubectl's order. It reads
 * YAML without client-node, so a command that needs no exec plugin never loads it.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): ResolvedKubeConfig {
  return resolveKubeConfig({ ...options, order: 'kubectl' });
}
