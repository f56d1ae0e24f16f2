import type { RequestOptions } from 'node:https';
import type { KubeClient } from '@agentbox/controller';
import { kubeConfigLike, needsClientNode } from '@agentbox/controller';
import { createHttpsKubeClient } from './create-https-kube-client.js';
import type { ResolvedKubeConfig } from './load-kube-config.js';

/** Options of createCliKubeClient. */
export interface CliKubeClientOptions {
  /** 0 = no timeout, as kubectl's `--request-timeout=0`. */
  requestTimeoutMs: number;
  userAgent: string;
  /** With `-v`: one status line per request on stderr (method, path, status, time; never a body). */
  log?: (line: string) => void;
}

// setTimeout's largest delay: "no timeout" for createKubeClient, which always arms one.
const noTimeout = 2 ** 31 - 1;

/**
 * A KubeClient for the resolved context: Node's https for token, token-file, certificate and basic credentials;
 * client-node and the controller's undici client only when an exec plugin or auth provider makes the credentials.
 */
export async function createCliKubeClient(
  config: ResolvedKubeConfig,
  options: CliKubeClientOptions,
): Promise<KubeClient> {
  const requestTimeoutMs = options.requestTimeoutMs > 0 ? options.requestTimeoutMs : noTimeout;
  let kube: KubeClient;
  if (needsClientNode(config)) {
    const { createPluginKubeClient } = await import('./create-plugin-kube-client.js');
    kube = await createPluginKubeClient(config, { requestTimeoutMs, userAgent: options.userAgent });
  } else {
    const tls: RequestOptions = {};
    await kubeConfigLike(config).applyToHTTPSOptions(tls);
    kube = createHttpsKubeClient({
      server: config.cluster.server,
      tls,
      requestTimeoutMs,
      userAgent: options.userAgent,
    });
  }
  const log = options.log;
  if (!log) return kube;
  return {
    ...kube,
    server: kube.server,
    async request<T>(req: Parameters<KubeClient['request']>[0]): Promise<T> {
      const started = performance.now();
      const line = `${req.method ?? 'GET'} ${kube.server}${req.path}`;
      try {
        const res = await kube.request<T>(req);
        log(`${line} 2xx in ${Math.round(performance.now() - started)} ms`);
        return res;
      } catch (err) {
        const status = (err as { status?: number }).status;
        log(`${line} ${status ? status : 'failed'} in ${Math.round(performance.now() - started)} ms`);
        throw err;
      }
    },
    async watch(req) {
      log(`WATCH ${kube.server}${req.path}`);
      return kube.watch(req);
    },
  };
}
