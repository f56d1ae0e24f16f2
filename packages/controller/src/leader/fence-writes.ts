import { AgentboxError } from '@agentbox/core';
import type { KubeClient, KubeRequest } from '../kube/kube-client.js';

/** A write was refused because this replica no longer leads (or is stopping). */
export class NotLeaderError extends AgentboxError {
  override readonly code = 'NotLeader';
  constructor() {
    super('this replica no longer leads: write refused');
  }
}

/**
 * The KubeClient a leadership term's reconciles use: every request carries the term's signal, and a write
 * (anything but GET) is refused before it is sent once the signal aborted or `stillLeading()` says no, so a
 * deposed leader cannot write even if a reconcile forgot to look at its signal. `close` is the owner's, not
 * the fence's.
 */
export function fenceWrites(kube: KubeClient, signal: AbortSignal, stillLeading: () => boolean): KubeClient {
  return {
    server: kube.server,
    request<T>(req: KubeRequest): Promise<T> {
      if ((req.method ?? 'GET') !== 'GET' && (signal.aborted || !stillLeading()))
        return Promise.reject(new NotLeaderError());
      return kube.request<T>({ ...req, signal: both(req.signal, signal) });
    },
    watch: (req) => kube.watch({ ...req, signal: both(req.signal, signal) }),
    requestCount: () => kube.requestCount(),
    close: async () => {},
  };
}

// The reconciles pass the term's own signal: combining it with itself would cost an AbortSignal.any (and its
// bookkeeping on the long-lived term signal) per request for nothing.
function both(own: AbortSignal | undefined, term: AbortSignal): AbortSignal {
  return own === undefined || own === term ? term : AbortSignal.any([own, term]);
}
