// Public surface of @agentbox/cli: the bin is the product; runCli lets a program embed the same commands.

export type { CliIo } from './cli-context.js';
export { CliError } from './cli-error.js';
export { type ExitCode, processIo, runCli } from './run-cli.js';
