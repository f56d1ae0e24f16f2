import type { CliIo } from '../cli-context.js';
import { formatDuration } from '../output/duration.js';

/** One progress report: the phase, and (once known) why the update is still pending. */
export interface ProgressUpdate {
  phase: string;
  /** One line: why it is not there yet (shown once the wait lasts longer than `explainAfterMs`). */
  reason?: string;
}

/** Shows the progress of a wait on stderr. */
export interface ProgressReporter {
  update(update: ProgressUpdate): void;
  /** Ends the display (clears the TTY line); with `finalPhase`, a last line saying it was reached and when. */
  stop(finalPhase?: string): void;
}

/** Options of createProgressReporter. */
export interface ProgressReporterOptions {
  /** What is waited for, e.g. `sandbox 0193… (pod demo-x7k2q)`. */
  subject: string;
  /** The phase waited for, e.g. `running`. */
  target: string;
  /** Default: 3000 ms. */
  explainAfterMs?: number;
  /** Default: `performance.now`. */
  now?: () => number;
}

const green = (s: string) => `\x1b[32m${s}\x1b[0m`;
const yellow = (s: string) => `\x1b[33m${s}\x1b[0m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;

/**
 * On a terminal: one line rewritten in place (phase, elapsed time, and after `explainAfterMs` the current pending
 * reason), cut to the terminal's width. Elsewhere: one line per change of phase or reason, never a control code.
 */
export function createProgressReporter(io: CliIo, options: ProgressReporterOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const explainAfterMs = options.explainAfterMs ?? 3000;
  const started = now();
  let last: ProgressUpdate = { phase: 'waiting' };
  let printed = '';
  let updated = false;
  let timer: NodeJS.Timeout | undefined;

  const elapsed = () => formatDuration(Math.floor((now() - started) / 100) * 100);
  const reasonShown = () => (now() - started >= explainAfterMs ? last.reason : undefined);

  function render(): void {
    const reason = reasonShown();
    if (io.errIsTTY) {
      const phase = io.color
        ? last.phase === options.target
          ? green(last.phase)
          : yellow(last.phase)
        : last.phase;
      const plain = `${options.subject}: ${last.phase} ${elapsed()}${reason ? ` ${reason}` : ''}`;
      const width = process.stderr.columns || 120;
      let line = `${options.subject}: ${phase} ${io.color ? dim(elapsed()) : elapsed()}${reason ? ` ${reason}` : ''}`;
      if (plain.length > width - 1) line = `${plain.slice(0, width - 2)}…`;
      io.err(`\r\x1b[2K${line}`);
      return;
    }
    if (!updated) return;
    const key = `${last.phase}|${reason ?? ''}`;
    if (key === printed) return;
    printed = key;
    io.err(`${options.subject}: ${last.phase} after ${elapsed()}${reason ? `: ${reason}` : ''}\n`);
  }

  // A TTY line ticks every 200 ms (the elapsed time moves); elsewhere a tick only matters when the reason
  // becomes due to be shown.
  timer = setInterval(render, io.errIsTTY ? 200 : 500);
  timer.unref();
  // A terminal shows the line at once; a log gets its first line with the first change.
  if (io.errIsTTY) render();

  return {
    update(update) {
      last = update;
      updated = true;
      render();
    },
    stop(finalPhase) {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (io.errIsTTY) io.err('\r\x1b[2K');
      if (finalPhase && (io.errIsTTY || !printed.startsWith(`${finalPhase}|`))) {
        io.err(`${options.subject}: ${finalPhase} after ${elapsed()}\n`);
      }
    },
  };
}
