import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

/** One round's answer from the Go baseline (see go-baseline/main.go). */
export interface GoRound {
  readonly resolves: number;
  readonly seconds: number;
  /** CPU time (user + system, all threads) of the Go process during the round, µs. */
  readonly cpuMicros: number;
  readonly digests: Readonly<Record<string, string>>;
}

/**
 * The Go baseline (go-containerregistry v0.22.1, `remote.Head` with `remote.Reuse`) as a long-lived child: one
 * JSON round per line in, one JSON answer per line out, so rounds alternate with the Node side in one run
 * without paying the process start inside a round.
 */
export class GoBaseline {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];

  constructor(binary: string) {
    this.#child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.resume();
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#waiting.shift()?.resolve(line));
    this.#child.once('exit', (code) => {
      for (const waiter of this.#waiting.splice(0))
        waiter.reject(new Error(`go-baseline exited with ${code}`));
    });
  }

  /** Resolves `count` references (cycling through `refs`) with `concurrency` goroutines. */
  async round(refs: readonly string[], count: number, concurrency: number): Promise<GoRound> {
    const answer = new Promise<string>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    this.#child.stdin.write(`${JSON.stringify({ refs, count, concurrency })}\n`);
    const parsed = JSON.parse(await answer) as GoRound & { error?: string };
    if (parsed.error) throw new Error(`go-baseline: ${parsed.error}`);
    return parsed;
  }

  async stop(): Promise<void> {
    this.#lines.close();
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin.end();
    await exited;
  }
}
