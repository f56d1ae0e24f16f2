import type { KubeClient } from '@agentbox/controller';
import { clientNodeKubeConfig } from '@agentbox/controller';
import type { KubeConfig } from '@kubernetes/client-node';
import type { loadKubeConfig, ResolvedKubeConfig } from './kube/load-kube-config.js';
import { parseDuration } from './output/duration.js';
import { version } from './version.js';

/** The global flags, parsed. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  requestTimeout?: string;
  verbose?: boolean;
  color?: boolean;
}

/** Where a command writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal. */
  isTTY: boolean;
  /** stderr is a terminal: progress is one updating line there. */
  errIsTTY: boolean;
  /** Colour allowed: a TTY, no `--no-color`, no `NO_COLOR`. */
  color: boolean;
}

/** What every command gets: the global flags, output, and lazily made clients (made once, closed at exit). */
export interface CliContext {
  globals: GlobalOptions;
  io: CliIo;
  /** Aborts on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** The resolved kubeconfig context (throws a one-line error for a bad kubeconfig). */
  kubeConfig(): ResolvedKubeConfig;
  /** `-n`, else the context's namespace, else `default`. */
  namespace(): string;
  /** The keep-alive API client. */
  kube(): Promise<KubeClient>;
  /** A client-node KubeConfig of the same context (loads client-node). */
  clientNodeKubeConfig(): Promise<KubeConfig>;
  /** Registers a clean-up run before exit. */
  onClose(fn: () => Promise<void> | void): void;
  /** Runs the clean-ups. */
  close(): Promise<void>;
  /** With `-v`: a line on stderr. */
  debug(line: string): void;
}

/**
 * Builds the context of one command run. `load` is the kubeconfig loader, passed in so that the entry point
 * imports it (and the YAML parser) only when a command runs, never for `--help`.
 */
export function createCliContext(
  globals: GlobalOptions,
  io: CliIo,
  signal: AbortSignal,
  load: typeof loadKubeConfig,
): CliContext {
  let resolved: ResolvedKubeConfig | undefined;
  let kube: Promise<KubeClient> | undefined;
  const closers: (() => Promise<void> | void)[] = [];
  const requestTimeoutMs =
    globals.requestTimeout === undefined ? 0 : parseDuration(globals.requestTimeout, '--request-timeout');
  const ctx: CliContext = {
    globals,
    io,
    signal,
    kubeConfig() {
      resolved ??= load({ kubeconfig: globals.kubeconfig, context: globals.context });
      return resolved;
    },
    namespace() {
      return globals.namespace || ctx.kubeConfig().namespace;
    },
    kube() {
      // Imported here: undici is parsed only by commands that talk to the API server.
      kube ??= import('./kube/create-cli-kube-client.js')
        .then(({ createCliKubeClient }) =>
          createCliKubeClient(ctx.kubeConfig(), {
            requestTimeoutMs,
            userAgent: `agentbox/${version}`,
            log: globals.verbose ? (line) => io.err(`${line}\n`) : undefined,
          }),
        )
        .then((client) => {
          closers.push(() => client.close());
          return client;
        });
      return kube;
    },
    clientNodeKubeConfig() {
      return clientNodeKubeConfig(ctx.kubeConfig());
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      for (const fn of closers.splice(0).reverse()) await fn();
    },
    debug(line) {
      if (globals.verbose) io.err(`${line}\n`);
    },
  };
  return ctx;
}
