import type { Pod, PodClient } from '@agentbox/core';

/**
 * A PodClient whose first `getPod` answers with a pod just read, so a caller that had to read the pod to
 * decide does not read it twice; every later read goes to the API server.
 */
export function withFirstRead(client: PodClient, fresh: Pod): PodClient {
  let served = false;
  return {
    getPod: (namespace, name) => {
      if (!served && fresh.metadata?.namespace === namespace && fresh.metadata?.name === name) {
        served = true;
        return Promise.resolve(fresh);
      }
      return client.getPod(namespace, name);
    },
    replacePod: (pod) => client.replacePod(pod),
  };
}
