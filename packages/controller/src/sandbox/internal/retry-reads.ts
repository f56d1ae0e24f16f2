import { KubeApiError } from '../../kube/kube-api-error.js';
import type { KubeClient } from '../../kube/kube-client.js';

/** Extra tries of a read whose connection failed. */
const READ_RETRIES = 2;

/**
 * The KubeClient with reads (GET) retried when no answer arrived (status 0: a kept-alive connection the
 * server or a proxy closed, an API server restarting). Writes are never retried here: a PUT whose answer was
 * lost may have been applied, and only the caller can tell (claim re-reads the pod to find out).
 */
export function retryReads(kube: KubeClient): KubeClient {
  return {
    server: kube.server,
    async request(req) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await kube.request(req);
        } catch (err) {
          const method = req.method ?? 'GET';
          const lost = err instanceof KubeApiError && err.status === 0 && !req.signal?.aborted;
          if (method !== 'GET' || !lost || attempt >= READ_RETRIES) throw err;
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        }
      }
    },
    watch: (req) => kube.watch(req),
    requestCount: () => kube.requestCount(),
    close: () => kube.close(),
  };
}
