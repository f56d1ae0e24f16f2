import type { PullSecret, SecretReader } from '@agentbox/resolver-registry';
import { isNotFoundError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { secretsPath } from '../kube/kube-paths.js';

/** Options of createSecretReader. */
export interface SecretReaderOptions {
  /** How long a Secret read (or its absence) is reused. Default: 10000 ms. */
  ttlMs?: number;
  /** Secrets remembered at most (least recently read dropped first). Default: 1024. */
  maxEntries?: number;
  /** Monotonic milliseconds (test seam). Default: `performance.now`. */
  nowMs?: () => number;
}

interface Entry {
  at: number;
  value: Promise<PullSecret | undefined>;
}

/**
 * The resolver's SecretReader over the KubeClient: one GET per Secret per `ttlMs` (concurrent reads share it),
 * so a burst of completions does not GET the same pull secret for every pod. Only `type` and `data` are kept.
 */
export function createSecretReader(kube: KubeClient, options: SecretReaderOptions = {}): SecretReader {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 1024;
  const nowMs = options.nowMs ?? (() => performance.now());
  const entries = new Map<string, Entry>();

  async function read(namespace: string, name: string): Promise<PullSecret | undefined> {
    try {
      const secret = await kube.request<{ type?: string; data?: Record<string, string> }>({
        path: secretsPath(namespace, name),
      });
      return { type: secret.type ?? '', data: secret.data ?? {} };
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      throw err;
    }
  }

  return {
    getSecret(namespace, name) {
      const key = `${namespace}/${name}`;
      const now = nowMs();
      const hit = entries.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = read(namespace, name);
      const entry = { at: now, value };
      entries.delete(key);
      entries.set(key, entry);
      // A failed read is not remembered: the next lookup asks again.
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return value;
    },
  };
}
