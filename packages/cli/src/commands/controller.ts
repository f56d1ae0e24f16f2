import { createControllerCommand } from '@agentbox/controller';
import type { CliIo } from '../cli-context.js';
import type { ExitCode } from '../run-cli.js';

/**
 * `agentbox controller [flags]`: the controller's own command (the flags of `agentbox-controller`), run in this
 * process until SIGTERM or SIGINT; its exit code is the one the controller sets.
 */
export async function runController(argv: string[], io: CliIo): Promise<ExitCode> {
  const command = createControllerCommand('agentbox controller');
  command.exitOverride();
  command.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  try {
    await command.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    throw err;
  }
  return (process.exitCode ?? 0) as ExitCode;
}
