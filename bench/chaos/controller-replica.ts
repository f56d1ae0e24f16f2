import { type ControllerBin, spawnControllerBin } from '@agentbox/testenv';

/** One `agentbox-controller` replica (a real process) that the runner can SIGKILL and start again on the same ports. */
export interface ControllerReplica {
  readonly name: string;
  readonly logFile: string;
  pid(): number;
  alive(): boolean;
  /** `agentbox_leader` from its /metrics (false when it does not answer). */
  isLeader(): Promise<boolean>;
  /** The body of its /metrics ('' when it does not answer). */
  metricsText(): Promise<string>;
  rssBytes(): number;
  /** SIGKILL; the exit is recorded as expected. */
  kill(): Promise<void>;
  /** Starts the process again and waits for /readyz. */
  start(): Promise<void>;
  /** Exits the runner did not cause (`code`/`signal` and the time). */
  unexpectedExits(): string[];
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/** Makes a replica (not started yet) with leader election on, whose stdout and stderr are appended to `logFile`. */
export async function createControllerReplica(options: {
  name: string;
  kubeconfigPath: string;
  namespace: string;
  logFile: string;
}): Promise<ControllerReplica> {
  let bin: ControllerBin | undefined;
  let ports: { metricsPort: number; healthPort: number } | undefined;
  let expectExit = false;
  const unexpected: string[] = [];
  const alive = () => bin?.alive() ?? false;
  return {
    name: options.name,
    logFile: options.logFile,
    pid: () => bin?.pid ?? 0,
    alive,
    async isLeader() {
      return /^agentbox_leader(\{[^}]*\})? 1$/m.test((await bin?.metricsText()) ?? '');
    },
    metricsText: async () => (await bin?.metricsText()) ?? '',
    rssBytes: () => bin?.rssBytes() ?? 0,
    async kill() {
      if (!alive()) return;
      expectExit = true;
      await bin?.kill();
    },
    async start() {
      if (alive()) return;
      expectExit = false;
      const started = await spawnControllerBin({
        args: [
          '--kubeconfig',
          options.kubeconfigPath,
          '--namespace',
          options.namespace,
          '--leader-elect',
          '--leader-election-namespace',
          options.namespace,
          '--log-level',
          'info',
        ],
        logFile: options.logFile,
        ...ports,
      });
      bin = started;
      ports = { metricsPort: started.metricsPort, healthPort: started.healthPort };
      void started.exited.then(() => {
        if (!expectExit)
          unexpected.push(`${new Date().toISOString()} ${options.name} exited ${started.exitStatus()}`);
      });
    },
    unexpectedExits: () => [...unexpected],
    async stop() {
      if (!alive()) return;
      expectExit = true;
      await bin?.stop();
    },
  };
}
