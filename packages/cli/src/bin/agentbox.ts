#!/usr/bin/env node
import { runCli } from '../run-cli.js';

// Exit once the command is done, also when a keep-alive socket or a timer would keep the loop alive.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    flushAndExit(code);
  },
  (err) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    flushAndExit(1);
  },
);

function flushAndExit(code: number): void {
  // stdout may be a pipe: exit only after it drained, or the tail of a long listing is lost.
  if (process.stdout.writableLength === 0) process.exit(code);
  process.stdout.once('drain', () => process.exit(code));
}
