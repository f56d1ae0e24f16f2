/** Options of createKubeClient. */
export interface KubeClientOptions {
  /** Kept-alive connections for requests (watches have their own). Default: 32. */
  connections?: number;
  /**
   * Per-request timeout. A request that gets no answer by then also retires the pool of kept-alive connections
   * (at most once per 5 s): a dead path freezes them all, and each would hold a later request this long.
   * Default: 30000 ms.
   */
  requestTimeoutMs?: number;
  /** Idle time before a kept-alive connection closes. Default: 60000 ms. */
  keepAliveTimeoutMs?: number;
  /** How often credentials are re-read from the KubeConfig (exec plugins, rotated token files). Default: 60000 ms. */
  authRefreshMs?: number;
  /** User-Agent header. Default: `agentbox-controller`. */
  userAgent?: string;
}

/** KubeClientOptions with every default applied. */
export type ResolvedKubeClientOptions = Required<KubeClientOptions>;

/** Applies every default of KubeClientOptions, in one place. */
export function resolveKubeClientOptions(options?: KubeClientOptions): ResolvedKubeClientOptions {
  return {
    connections: options?.connections ?? 32,
    requestTimeoutMs: options?.requestTimeoutMs ?? 30_000,
    keepAliveTimeoutMs: options?.keepAliveTimeoutMs ?? 60_000,
    authRefreshMs: options?.authRefreshMs ?? 60_000,
    userAgent: options?.userAgent ?? 'agentbox-controller',
  };
}
