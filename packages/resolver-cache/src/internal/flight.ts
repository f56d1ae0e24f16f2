/**
 * One upstream call shared by every caller of one key while it is in flight.
 *
 * Why the upstream call gets its own AbortController rather than a caller's signal:
 * the call is shared, so one caller giving up must not fail the others. Each caller
 * waits on its own promise that rejects with its own `signal.reason` when it aborts;
 * the upstream call is aborted only once *every* caller has aborted (and no caller
 * without a signal joined), and such an abandoned call stores nothing — a caller's
 * abort is never negative-cached.
 */
export class Flight {
  /** Settles with the upstream result; every caller without a signal receives it as is. */
  readonly promise: Promise<string>;
  readonly controller = new AbortController();
  /** Set when the result must not be stored: abandoned, invalidated or cleared. */
  detached = false;
  #waiting = 0;
  #pinned = false;

  constructor(start: (signal: AbortSignal) => Promise<string>) {
    this.promise = start(this.controller.signal);
  }

  /**
   * The promise one caller waits on. `onAbandoned` runs when the last abortable caller
   * aborts while no caller without a signal is waiting.
   */
  follow(signal: AbortSignal | undefined, onAbandoned: () => void): Promise<string> {
    if (signal === undefined) {
      this.#pinned = true;
      return this.promise;
    }
    this.#waiting++;
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        this.#waiting--;
        if (this.#waiting === 0 && !this.#pinned && !this.detached) {
          this.detached = true;
          onAbandoned();
          this.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (digest) => {
          signal.removeEventListener('abort', onAbort);
          resolve(digest);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
