import { Command, Option } from 'commander';
import type { CliContext } from './cli-context.js';
import { version } from './version.js';

/** Runs one command's implementation with the parsed arguments (loaded lazily: start-up stays small). */
export type CommandRunner = (
  load: () => Promise<{ run(ctx: CliContext, ...args: never[]): Promise<void> }>,
  ...args: unknown[]
) => Promise<void>;

const outputFormats = ['json', 'yaml', 'wide', 'name'];

function output(formats: string[] = outputFormats): Option {
  return new Option('-o, --output <format>', `output format: ${formats.join('|')}`).choices(formats);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The command tree, as CLI.md lists it. Every action imports its implementation on demand, so `--help` and
 * `version --client` load only commander and this file.
 */
export function buildProgram(runCommand: CommandRunner): Command {
  const program = new Command('agentbox')
    .description('Warm pools of Kubernetes sandboxes, switched between images in place.')
    .version(version, '--version', 'print the client version')
    .option('--kubeconfig <path>', 'kubeconfig file (else KUBECONFIG, else ~/.kube/config, else in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', "namespace (default: the context's, else default)")
    .option('--request-timeout <duration>', 'timeout of one API request, e.g. 30s (0: none)', '0')
    .option('-v, --verbose', 'stack traces and HTTP status lines on stderr')
    .option('--no-color', 'no colour, even on a terminal')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  const get = program.command('get').description('list pools or sandboxes');
  get
    .command('pools')
    .aliases(['pool', 'sandboxpools', 'sandboxpool', 'sbp'])
    .argument('[name]', 'one pool')
    .description('list SandboxPools')
    .option('-A, --all-namespaces', 'across all namespaces')
    .option('-l, --selector <selector>', 'label selector, e.g. team=a')
    .addOption(output())
    .option('-w, --watch', 'stream changes after the list')
    .action((name, opts) => runCommand(() => import('./commands/get-pools.js'), name, opts));
  get
    .command('sandboxes')
    .aliases(['sandbox', 'sb'])
    .argument('[id]', 'one sandbox')
    .description('list claimed pods as sandboxes')
    .option('--pool <pool>', 'only this pool')
    .option('--all', 'include idle pods (ID <none>)')
    .option('-A, --all-namespaces', 'across all namespaces')
    .option('-l, --selector <selector>', 'label selector on the pods')
    .addOption(output())
    .option('-w, --watch', 'stream changes after the list')
    .action((id, opts) => runCommand(() => import('./commands/get-sandboxes.js'), id, opts));

  const describe = program.command('describe').description('show a pool or a sandbox in detail');
  describe
    .command('pool')
    .aliases(['pools', 'sandboxpool', 'sbp'])
    .argument('<name>')
    .description('spec, status, conditions, pods by phase, recent Events')
    .action((name) => runCommand(() => import('./commands/describe-pool.js'), name));
  describe
    .command('sandbox')
    .aliases(['sandboxes', 'sb'])
    .argument('<id>', 'sandbox ID or pod/NAME')
    .description('the sandbox, its pod and images, recent Events')
    .action((id) => runCommand(() => import('./commands/describe-sandbox.js'), id));

  const create = program.command('create').description('create a resource');
  create
    .command('pool')
    .aliases(['sandboxpool', 'sbp'])
    .argument('<name>')
    .description('create a SandboxPool (for anything richer: kubectl apply -f)')
    .requiredOption('--image <image>', 'default workload image of container 0')
    .requiredOption('--idle-image <image>', 'image idle pods run')
    .option('--replicas <n>', 'pods to keep', '1')
    .option('--container <name=image>', 'another container (repeatable)', collect)
    .option('--startup-timeout <duration>', 'default startup timeout of a claim, e.g. 2m')
    .option('--idle-timeout <duration>', 'default idle timeout of a claim, e.g. 30m')
    .addOption(
      new Option('--dry-run <mode>', 'client: print only; server: validate on the server').choices([
        'client',
        'server',
        'none',
      ]),
    )
    .addOption(output(['json', 'yaml', 'name']))
    .action((name, opts) => runCommand(() => import('./commands/create-pool.js'), name, opts));

  const scale = program.command('scale').description('set the replicas of a pool');
  scale
    .command('pool')
    .aliases(['sandboxpool', 'sbp'])
    .argument('<name>')
    .description('through the scale subresource')
    .requiredOption('--replicas <n>', 'desired pods')
    .action((name, opts) => runCommand(() => import('./commands/scale-pool.js'), name, opts));

  const del = program.command('delete').description('delete a resource');
  del
    .command('pool')
    .aliases(['sandboxpool', 'sbp'])
    .argument('<name>')
    .description('delete a pool; --wait until its pods are gone')
    .option('--wait', 'wait until the pool and its pods are gone')
    .option('--timeout <duration>', 'with --wait: give up after', '5m')
    .action((name, opts) => runCommand(() => import('./commands/delete-pool.js'), name, opts));

  program
    .command('claim')
    .argument('<pool>')
    .description('claim an idle pod of POOL as a sandbox')
    .option('--image <image>', 'workload image of container 0')
    .option('--container <name=image>', 'workload image of a named container (repeatable)', collect)
    .option('--id <id>', 'sandbox ID (default: a new UUIDv7)')
    .option('--metadata <key=value>', 'sandbox metadata (repeatable)', collect)
    .option('--label <key=value>', 'label for the pod while claimed (repeatable)', collect)
    .option('--idle-timeout <duration>', 'release after this long without touch')
    .option('--startup-timeout <duration>', 'fail the claim when not running by then')
    .option('--wait', 'wait until the sandbox runs, showing progress')
    .option('--timeout <duration>', 'with --wait: give up after', '5m')
    .option('--wait-for-idle <duration>', 'wait this long for an idle pod when none is free', '0s')
    .addOption(output())
    .action((pool, opts) => runCommand(() => import('./commands/claim.js'), pool, opts));

  program
    .command('release')
    .argument('<id>', 'sandbox ID or pod/NAME')
    .description('release a sandbox: its pod goes back to the idle image')
    .option('--wait', 'wait until the pod is idle again')
    .option('--timeout <duration>', 'with --wait: give up after', '5m')
    .addOption(output(['json', 'yaml', 'name']))
    .action((id, opts) => runCommand(() => import('./commands/release.js'), id, opts));

  program
    .command('touch')
    .argument('<id>', 'sandbox ID or pod/NAME')
    .description('refresh last-active (postpones the idle timeout)')
    .action((id) => runCommand(() => import('./commands/touch.js'), id));

  program
    .command('wait')
    .argument('<id>', 'sandbox ID or pod/NAME')
    .description('wait until a sandbox is running, idle or released, watching')
    .addOption(
      new Option('--for <phase>', 'running|idle|released')
        .choices(['running', 'idle', 'released'])
        .makeOptionMandatory(),
    )
    .option('--timeout <duration>', 'give up after', '5m')
    .addOption(output(['json', 'yaml']))
    .action((id, opts) => runCommand(() => import('./commands/wait.js'), id, opts));

  program
    .command('explain')
    .argument('<id>', 'sandbox ID or pod/NAME')
    .description('why a sandbox is not yet where it is going')
    .addOption(output(['json', 'yaml']))
    .action((id, opts) => runCommand(() => import('./commands/explain.js'), id, opts));

  program
    .command('resolve')
    .argument('<image>')
    .description('the digest and config digest the controller would compare')
    .option('--pull-secret <name>', 'use this pull secret of the namespace (repeatable)', collect)
    .option('--platform <os/arch>', 'platform of an index', 'linux/amd64')
    .addOption(output(['json', 'yaml']))
    .action((image, opts) => runCommand(() => import('./commands/resolve.js'), image, opts));

  program
    .command('controller')
    .description('run the controller (the flags of agentbox-controller; see agentbox controller --help)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments();

  program
    .command('version')
    .description("the client's version and the server's")
    .option('--client', 'only the client version (no server call)')
    .addOption(output(['json', 'yaml']))
    .action((opts) => runCommand(() => import('./commands/version.js'), opts));

  program
    .command('completion')
    .argument('<shell>', 'bash|zsh|fish')
    .description('print a shell completion script (e.g. source <(agentbox completion bash))')
    .action((shell) => runCommand(() => import('./commands/completion.js'), shell, program));

  return program;
}
