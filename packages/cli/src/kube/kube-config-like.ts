import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { CliError } from '../cli-error.js';
import type { ResolvedKubeConfig } from './load-kube-config.js';

/**
 * True when the user entry needs client-node to produce credentials (an exec plugin or an auth provider);
 * everything else (token, token file, client certificate, basic auth) is served without loading it.
 */
export function needsClientNode(config: ResolvedKubeConfig): boolean {
  return config.user.exec !== undefined || config.user['auth-provider'] !== undefined;
}

/**
 * The two methods of client-node's KubeConfig that `createKubeClient` calls, served from the resolved kubeconfig
 * (files are re-read on every call, so a rotated token file is picked up at the client's refresh).
 */
export function kubeConfigLike(config: ResolvedKubeConfig): KubeConfig {
  const { cluster, user } = config;
  const like = {
    getCurrentCluster() {
      return {
        name: config.clusterName,
        server: cluster.server,
        skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
        tlsServerName: cluster['tls-server-name'],
      };
    },
    async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
      const ca = pem(
        cluster['certificate-authority-data'],
        cluster['certificate-authority'],
        'certificate-authority',
      );
      if (ca) opts.ca = ca;
      const cert = pem(user['client-certificate-data'], user['client-certificate'], 'client-certificate');
      const key = pem(user['client-key-data'], user['client-key'], 'client-key');
      if (cert) opts.cert = cert;
      if (key) opts.key = key;
      if (cluster['insecure-skip-tls-verify'] === true) opts.rejectUnauthorized = false;
      if (cluster['tls-server-name']) opts.servername = cluster['tls-server-name'];
      let token = user.token;
      if (!token && user.tokenFile) token = readSecretFile(user.tokenFile, 'tokenFile').trim();
      const headers: Record<string, string> = {};
      if (token) headers['Authorization'] = `Bearer ${token}`;
      else if (user.username && user.password) opts.auth = `${user.username}:${user.password}`;
      opts.headers = { ...(opts.headers as Record<string, string> | undefined), ...headers };
    },
  };
  // Only these two methods are called on this path (see kube/create-cli-kube-client.ts).
  return like as unknown as KubeConfig;
}

/** A full client-node KubeConfig holding only the resolved context (for exec plugins and the sandbox client). */
export async function clientNodeKubeConfig(config: ResolvedKubeConfig): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: config.clusterName || 'cluster', cluster: config.cluster }],
      users: [{ name: config.userName || 'user', user: config.user }],
      contexts: [
        {
          name: config.contextName,
          context: {
            cluster: config.clusterName || 'cluster',
            user: config.userName || 'user',
            namespace: config.namespace,
          },
        },
      ],
      'current-context': config.contextName,
    }),
  );
  return kc;
}

function pem(data: string | undefined, file: string | undefined, field: string): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return Buffer.from(readSecretFile(file, field));
  return undefined;
}

function readSecretFile(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `kubeconfig ${field} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      {
        code: 'KubeconfigInvalid',
      },
    );
  }
}
