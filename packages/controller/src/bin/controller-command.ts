import { readFileSync } from 'node:fs';
import { AgentboxError } from '@agentbox/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ControllerOptions } from '../controller-options.js';
import { loadKubeConfig } from '../kube/load-kube-config.js';
import { createLogger } from '../observability/create-logger.js';
import type { Logger } from '../observability/logger.js';
import { parseKubeDuration } from '../pool/parse-kube-duration.js';
import type { ResolverBackend } from '../resolver/create-default-resolver.js';
import { type RunningController, startController } from '../start-controller.js';

/** The flags of `agentbox-controller` (and of `agentbox controller`), as commander parses them. */
export interface ControllerFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  concurrency: number;
  completionConcurrency: number;
  logLevel: string;
  resolver: ResolverBackend;
  resolverCacheTtl: number;
  dockerConfig?: string;
}

/** A flag combination the controller cannot run with. */
export class InvalidControllerFlagsError extends AgentboxError {
  override readonly code = 'InvalidControllerFlags';
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Budget of a stop after SIGTERM: in-flight reconciles get most of it, the Lease release and closes the rest. */
const STOP_BUDGET_MS = 10_000;
const DRAIN_MS = 8_000;

/** Adds the controller's flags (the controller contract's list, with its defaults) to a commander command. */
export function addControllerFlags(command: Command): Command {
  return command
    .option(
      '--kubeconfig <path>',
      'kubeconfig file (default: $KUBECONFIG, in-cluster config, ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--namespace <name>', 'watch and reconcile one namespace only (default: all)')
    .option('--leader-elect', 'run leader election on a Lease (one active replica)', false)
    .option(
      '--leader-election-namespace <name>',
      "namespace of the Lease (default: the pod's namespace in a cluster, else --namespace)",
    )
    .option('--leader-election-id <name>', 'name of the Lease', 'agentbox-controller')
    .option('--metrics-bind-address <host:port>', "address of /metrics ('' = off, port 0 = any)", ':8080')
    .option(
      '--health-probe-bind-address <host:port>',
      "address of /healthz and /readyz ('' = off, port 0 = any)",
      ':8081',
    )
    .option('--concurrency <n>', 'pools reconciled at once', positiveInt, 8)
    .option('--completion-concurrency <n>', 'per-pod completions written at once', positiveInt, 32)
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--resolver <backend>', 'digest resolver backend')
        .choices(['registry', 'docker-registry-client'])
        .default('registry'),
    )
    .addOption(
      new Option('--resolver-cache-ttl <duration>', 'how long a resolved digest is reused (Go duration)')
        .argParser(duration)
        .default(60_000, '60s'),
    )
    .option('--docker-config <path>', "a docker config.json with credentials besides the pods' pull secrets");
}

/**
 * Loads the KubeConfig like controller-runtime: `--kubeconfig`, else `$KUBECONFIG`, else the in-cluster service
 * account, else `~/.kube/config`; then `--context`. client-node is loaded only for an exec plugin or an auth
 * provider (see loadKubeConfig).
 */
export function loadControllerKubeConfig(
  flags: Pick<ControllerFlags, 'kubeconfig' | 'context'>,
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  return loadKubeConfig({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    env,
  });
}

/** ControllerOptions from parsed flags (the KubeConfig and logger made by the caller). */
export function controllerOptionsFromFlags(
  flags: ControllerFlags,
  kubeConfig: KubeConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): ControllerOptions {
  let leaderElection: ControllerOptions['leaderElection'];
  if (flags.leaderElect) {
    const leaseNamespace =
      flags.leaderElectionNamespace || env.POD_NAMESPACE || inClusterNamespace() || flags.namespace;
    if (!leaseNamespace)
      throw new InvalidControllerFlagsError(
        '--leader-elect needs --leader-election-namespace outside a cluster (or --namespace)',
      );
    leaderElection = { enabled: true, leaseName: flags.leaderElectionId, leaseNamespace };
  }
  return {
    kubeConfig,
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(leaderElection ? { leaderElection } : {}),
    metricsAddress: flags.metricsBindAddress,
    healthAddress: flags.healthProbeBindAddress,
    concurrency: flags.concurrency,
    completionConcurrency: flags.completionConcurrency,
    logger,
    resolverBackend: flags.resolver,
    resolverCacheTtlMs: flags.resolverCacheTtl,
    ...(flags.dockerConfig ? { dockerConfigPath: flags.dockerConfig } : {}),
    drainTimeoutMs: DRAIN_MS,
  };
}

/**
 * A commander command that runs the controller until SIGTERM or SIGINT, then stops it (in-flight reconciles
 * drained, Lease released, within 10 s) and sets `process.exitCode` (0 after a clean stop, 1 when the start
 * failed or the stop overran). A second signal exits at once.
 */
export function createControllerCommand(name = 'agentbox-controller'): Command {
  const command = new Command(name).description(
    'Run the SandboxPool controller: keep warm pools of pods and switch them between images in place.',
  );
  addControllerFlags(command).action(async (flags: ControllerFlags) => {
    const logger = createLogger({ level: flags.logLevel as (typeof LOG_LEVELS)[number] });
    let controller: RunningController;
    try {
      const kubeConfig = loadControllerKubeConfig(flags);
      controller = await startController(controllerOptionsFromFlags(flags, kubeConfig, logger));
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'controller failed to start');
      process.exitCode = 1;
      return;
    }
    logger.info(
      { metrics: controller.metricsUrl ?? 'off', health: controller.healthUrl ?? 'off' },
      'controller running',
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ signal }, 'stopping');
    const again = () => {
      logger.warn({}, 'second signal: exiting now');
      process.exit(1);
    };
    process.once('SIGTERM', again);
    process.once('SIGINT', again);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overran = await Promise.race([
      controller.stop().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), STOP_BUDGET_MS);
      }),
    ]);
    clearTimeout(timer);
    if (overran) logger.error({ budgetMs: STOP_BUDGET_MS }, 'stop overran its budget');
    process.exitCode = overran ? 1 : 0;
  });
  return command;
}

/** Runs `agentbox-controller` with `argv` (the arguments after the program name). */
export async function runControllerCli(argv: readonly string[]): Promise<void> {
  await createControllerCommand().parseAsync([...argv], { from: 'user' });
}

function inClusterNamespace(): string | undefined {
  try {
    return readFileSync(`${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('want a positive integer');
  return n;
}

function duration(value: string): number {
  const ms = parseKubeDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('want a duration such as 60s, 1m30s or 500ms');
  return ms;
}
