/** How long a "taken" mark is kept: far longer than any LIST answer a sibling could still be working from. */
const TAKEN_TTL_MS = 60_000;

/**
 * Coordinates the concurrent claims of one SandboxClient (an agent platform claiming many sandboxes from
 * one process): claims of the same pool share one in-flight read of the pool and one LIST of its idle pods,
 * a claim tries pods no sibling is trying before contested ones, and skips pods a sibling has already won
 * at the listed resourceVersion. Only an optimisation: the API server's resourceVersion check still
 * decides every race, also against claimers in other processes.
 */
export class ClaimCoordinator {
  private readonly reads = new Map<string, Promise<unknown>>();
  private readonly trying = new Map<string, number>();
  private readonly taken = new Map<string, number>();

  /**
   * Runs the read `run` for `key`, or joins the one already in flight. The shared read carries no caller's
   * signal (one claimer giving up must not fail the others); each caller stops waiting when its own aborts.
   */
  share<T>(key: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let shared = this.reads.get(key) as Promise<T> | undefined;
    if (!shared) {
      shared = run().finally(() => this.reads.delete(key));
      this.reads.set(key, shared);
    }
    return signal ? untilAborted(shared, signal) : shared;
  }

  /** True while a sibling claim is trying the pod. */
  isContested(uid: string): boolean {
    return (this.trying.get(uid) ?? 0) > 0;
  }

  /** Marks the pod as being tried; call `doneTrying` after. */
  startTrying(uid: string): void {
    this.trying.set(uid, (this.trying.get(uid) ?? 0) + 1);
  }

  /** Ends a `startTrying`. */
  doneTrying(uid: string): void {
    const n = (this.trying.get(uid) ?? 0) - 1;
    if (n > 0) this.trying.set(uid, n);
    else this.trying.delete(uid);
  }

  /** Records that a claim of this client won the pod listed at `versionKey` (`uid/resourceVersion`). */
  markTaken(versionKey: string, nowMs: number): void {
    for (const [key, at] of this.taken) {
      if (nowMs - at <= TAKEN_TTL_MS) break;
      this.taken.delete(key);
    }
    this.taken.set(versionKey, nowMs);
  }

  /** True when a claim of this client already won the pod as listed at `versionKey`. */
  isTaken(versionKey: string): boolean {
    return this.taken.has(versionKey);
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
