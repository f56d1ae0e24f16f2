/**
 * Runs `task(i)` for i in [0, total) with at most `concurrency` in flight (a worker pool
 * pulling the next index), and returns the elapsed wall time in seconds.
 */
export async function runConcurrently(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      await task(i);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Forces a full collection (the benchmark runs with `--expose-gc`) and returns the heap in use. */
export function settledHeapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (pnpm bench:resolver does)');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
