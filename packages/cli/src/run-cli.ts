import { CommanderError } from 'commander';
import { type CliIo, createCliContext, type GlobalOptions } from './cli-context.js';
import { CliError } from './cli-error.js';
import { describeError } from './output/describe-error.js';
import { buildProgram } from './program.js';

/** How runCli ends: the exit code (0 success, 1 error, 2 usage). */
export type ExitCode = 0 | 1 | 2 | 130;

const rootValueFlags = new Set(['--kubeconfig', '--context', '-n', '--namespace', '--request-timeout']);

/**
 * Runs `agentbox` with `argv` (without node and the script): parses, runs one command, prints errors as one line
 * `error: <what>: <why>` on stderr (the stack only with `-v`) and returns the exit code.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  // The controller handles its own signals (drain, Lease release) and flags.
  if (commandOf(argv) === 'controller') {
    const { runController } = await import('./commands/controller.js');
    const at = argv.indexOf('controller');
    return await runController([...argv.slice(0, at), ...argv.slice(at + 1)], io);
  }
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort(new CliError(`interrupted (${signal})`, { code: 'Interrupted' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (commandOf(argv) === 'controller') {
      const { runController } = await import('./commands/controller.js');
      return await runController(
        argv.filter((a, i) => !(a === 'controller' && i === argv.indexOf('controller'))),
        io,
      );
    }
    let exitCode: ExitCode = 0;
    let verbose = argv.includes('-v') || argv.includes('--verbose');
    const program = buildProgram(async (load, ...args) => {
      const globals = program.opts<GlobalOptions>();
      verbose = globals.verbose === true;
      const color = io.color && globals.color !== false;
      const loader = await import('./kube/load-kube-config.js');
      const ctx = createCliContext(globals, { ...io, color }, abort.signal, loader.loadKubeConfig);
      try {
        const mod = await load();
        await (mod.run as (ctx: unknown, ...a: unknown[]) => Promise<void>)(ctx, ...args);
      } catch (err) {
        exitCode = reportError(err, io, verbose);
      } finally {
        await ctx.close().catch(() => undefined);
      }
    });
    program.exitOverride();
    program.configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(s),
    });
    for (const cmd of allCommands(program)) {
      cmd.exitOverride();
      cmd.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    }
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (err) {
      if (err instanceof CommanderError) {
        if (
          err.code === 'commander.helpDisplayed' ||
          err.code === 'commander.version' ||
          err.code === 'commander.help'
        )
          return 0;
        // commander.executeSubCommandAsync / missing subcommand: the help was printed to stderr.
        return 2;
      }
      return reportError(err, io, verbose);
    }
    return exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportError(err: unknown, io: CliIo, verbose: boolean): 1 | 2 {
  const line = err instanceof CliError ? err.message : describeError(err);
  io.err(`error: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
  if (verbose && err instanceof Error && err.stack) {
    io.err(`${err.stack}\n`);
    if (err.cause instanceof Error && err.cause.stack) io.err(`caused by: ${err.cause.stack}\n`);
  }
  return err instanceof CliError ? err.exitCode : 1;
}

function allCommands(cmd: import('commander').Command): import('commander').Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** The first positional argument, skipping the root flags (and their values). */
function commandOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (rootValueFlags.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

/** stdout/stderr of this process. */
export function processIo(): CliIo {
  const isTTY = process.stdout.isTTY === true;
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY,
    errIsTTY: process.stderr.isTTY === true,
    color: isTTY && !process.env['NO_COLOR'],
  };
}
