import { clientNodeKubeConfig, createKubeClient, type KubeClient } from '@agentbox/controller';
import type { ResolvedKubeConfig } from './load-kube-config.js';

/**
 * The KubeClient for a user whose credentials come from an exec plugin or an auth provider: client-node runs
 * the plugin and the controller's client refreshes the credentials. Imported only on that path (it loads
 * client-node and undici).
 */
export async function createPluginKubeClient(
  config: ResolvedKubeConfig,
  options: { requestTimeoutMs: number; userAgent: string },
): Promise<KubeClient> {
  const kc = await clientNodeKubeConfig(config);
  return createKubeClient(kc, { ...options, connections: 8 });
}
