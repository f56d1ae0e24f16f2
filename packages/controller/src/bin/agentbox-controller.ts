#!/usr/bin/env node
// The `agentbox-controller` executable: the flags and the run loop live in controller-command.ts so the
// `agentbox controller` command of the CLI can reuse them.
import { runControllerCli } from './controller-command.js';

runControllerCli(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`agentbox-controller: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
