import type { Pod } from '../ports/pod.js';
import type { PodClient } from '../ports/pod-client.js';
import { PodConflictError } from './pod-conflict-error.js';
import { PodNotFoundError } from './pod-not-found-error.js';

/** The two PodClient operations, for fault injection. */
export type PodClientOperation = 'getPod' | 'replacePod';

/**
 * An in-memory PodClient with API-server semantics: every stored pod gets a fresh `resourceVersion`, a
 * write with a stale one fails with a 409 PodConflictError, reads and writes return copies. Conflicts and
 * failures can be injected, and `writes` counts the successful writes.
 */
export class InMemoryPodClient implements PodClient {
  /** Successful replacePod calls. */
  writes = 0;
  /** replacePod calls, failed ones included. */
  replaceAttempts = 0;
  /** getPod calls. */
  reads = 0;
  private readonly pods = new Map<string, Pod>();
  private version = 0;
  private conflicts: { count: number; edit: ((pod: Pod) => void) | undefined } = {
    count: 0,
    edit: undefined,
  };
  private readonly failures: { operation: PodClientOperation; error: unknown }[] = [];

  constructor(pods: Iterable<Pod> = []) {
    for (const pod of pods) this.add(pod);
  }

  /** Stores a copy of `pod` (created or overwritten, no resourceVersion check) and returns the stored copy. */
  add(pod: Pod): Pod {
    const stored = structuredClone(pod);
    stored.metadata = { ...stored.metadata, resourceVersion: this.nextVersion() };
    this.pods.set(keyOf(pod), stored);
    return structuredClone(stored);
  }

  /** A copy of the stored pod, or undefined; counts nothing. */
  peek(namespace: string, name: string): Pod | undefined {
    const pod = this.pods.get(`${namespace}/${name}`);
    return pod === undefined ? undefined : structuredClone(pod);
  }

  /** Edits the stored pod as another writer would (kubelet, another controller), bumping its resourceVersion. */
  modify(namespace: string, name: string, edit: (pod: Pod) => void): Pod {
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(key);
    if (pod === undefined) throw new PodNotFoundError(key);
    edit(pod);
    pod.metadata = { ...pod.metadata, resourceVersion: this.nextVersion() };
    return structuredClone(pod);
  }

  /**
   * Makes the next `count` writes lose a race: before each, a concurrent writer bumps the stored pod (applying
   * `edit` when given), so the write fails with a genuine stale-resourceVersion 409.
   */
  injectConflicts(count: number, edit?: (pod: Pod) => void): void {
    this.conflicts = { count, edit };
  }

  /** Makes the next call of `operation` fail with `error` (queued; one failure per call). */
  injectFailure(operation: PodClientOperation, error: unknown): void {
    this.failures.push({ operation, error });
  }

  /** Reads a copy of the stored pod; PodNotFoundError (404) when absent. */
  async getPod(namespace: string, name: string): Promise<Pod> {
    this.reads++;
    this.takeFailure('getPod');
    const pod = this.peek(namespace, name);
    if (pod === undefined) throw new PodNotFoundError(`${namespace}/${name}`);
    return pod;
  }

  /** Full update guarded by resourceVersion; PodConflictError (409) when stale, PodNotFoundError when absent. */
  async replacePod(pod: Pod): Promise<Pod> {
    this.replaceAttempts++;
    this.takeFailure('replacePod');
    const key = keyOf(pod);
    const stored = this.pods.get(key);
    if (stored === undefined) throw new PodNotFoundError(key);
    if (this.conflicts.count > 0) {
      this.conflicts.count--;
      const edit = this.conflicts.edit;
      this.modify(stored.metadata?.namespace ?? '', stored.metadata?.name ?? '', (p) => edit?.(p));
    }
    if (pod.metadata?.resourceVersion !== this.pods.get(key)?.metadata?.resourceVersion) {
      throw new PodConflictError(key);
    }
    this.writes++;
    return this.add(pod);
  }

  private takeFailure(operation: PodClientOperation): void {
    const index = this.failures.findIndex((f) => f.operation === operation);
    if (index === -1) return;
    const [failure] = this.failures.splice(index, 1);
    throw failure!.error;
  }

  private nextVersion(): string {
    this.version++;
    return String(this.version);
  }
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
