import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { freePorts } from '../internal/free-port.js';
import type { RegistryHandle } from '../registry/registry-handle.js';
import { HOST_PATHS, SYSCTLS } from './internal/host-changes.js';
import { HOST_GUARD_SCRIPT } from './internal/host-guard-script.js';
import {
  cniConflist,
  containerdConfig,
  hostsToml,
  kubeletConfig,
  type NodeLayout,
} from './internal/node-config.js';
import { pushRunnableImage } from './push-runnable-image.js';
import { RealNodeError } from './real-node-error.js';

/** Options of {@link startRealNode}. */
export interface RealNodeOptions {
  /** Path of kubelet v1.35.4 (`inject('controlPlane').kubelet`). Required. */
  kubelet: string;
  /** The registry the pause image is pushed to (and pulled from). Required unless `pauseImage` is given. */
  registry?: RegistryHandle;
  /** Every registry pods pull from: each gets a `hosts.toml` (plain HTTP, or HTTPS trusting its test CA) and its credentials. Default: `[registry]`. */
  registries?: readonly RegistryHandle[];
  /** A pause image already in a registry the node can pull from. Default: a fresh `pause` image pushed to `registry`. */
  pauseImage?: string;
  /** Node name. Default: `agentbox-node-<8 hex>` (unique per node). */
  nodeName?: string;
  /** Where the run folder (containerd and kubelet state) is made. Default: `/dev/shm`. */
  runRoot?: string;
  /** Where the logs go (kept after `stop()`). Default: `<os tmpdir>/agentbox-real-node/<nodeName>`. */
  logDir?: string;
  /** containerd binary. Default: `containerd` from PATH. */
  containerd?: string;
  /** CNI plugin folder. Default: `/usr/lib/cni` (Debian's containernetworking-plugins). */
  cniBinDir?: string;
  /** How long to wait for the Node to be Ready. Default: 120 000 ms. */
  readyTimeoutMs?: number;
  /** Machine-wide lock: one real node at a time, because they share sysctls and iptables. Default: `<os tmpdir>/agentbox-real-node.lock`. */
  lockFile?: string;
  /** How long to wait for another real node on this machine to finish. Default: 900 s. */
  lockWaitSeconds?: number;
  /** False when the caller already holds `lockFile` (e.g. to compare host snapshots around the node). Default: true. */
  takeLock?: boolean;
  /** kubelet's `--v`. Default: 2. */
  kubeletVerbosity?: number;
  /** Fields merged over the generated KubeletConfiguration. Default: none. */
  kubeletConfig?: Readonly<Record<string, unknown>>;
}

/** RealNodeOptions with every default applied. */
export interface ResolvedRealNodeOptions {
  kubelet: string;
  registry: RegistryHandle | undefined;
  registries: readonly RegistryHandle[];
  pauseImage: string | undefined;
  nodeName: string;
  runRoot: string;
  logDir: string;
  containerd: string;
  cniBinDir: string;
  readyTimeoutMs: number;
  lockFile: string;
  lockWaitSeconds: number;
  takeLock: boolean;
  kubeletVerbosity: number;
  kubeletConfig: Readonly<Record<string, unknown>>;
}

/** Applies every default of RealNodeOptions, in one place. */
export function resolveRealNodeOptions(options: RealNodeOptions): ResolvedRealNodeOptions {
  const nodeName = options.nodeName ?? `agentbox-node-${randomBytes(4).toString('hex')}`;
  return {
    kubelet: options.kubelet,
    registry: options.registry,
    registries: options.registries ?? (options.registry === undefined ? [] : [options.registry]),
    pauseImage: options.pauseImage,
    nodeName,
    runRoot: options.runRoot ?? '/dev/shm',
    logDir: options.logDir ?? join(tmpdir(), 'agentbox-real-node', nodeName),
    containerd: options.containerd ?? 'containerd',
    cniBinDir: options.cniBinDir ?? '/usr/lib/cni',
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    lockFile: options.lockFile ?? join(tmpdir(), 'agentbox-real-node.lock'),
    lockWaitSeconds: options.lockWaitSeconds ?? 900,
    takeLock: options.takeLock ?? true,
    kubeletVerbosity: options.kubeletVerbosity ?? 2,
    kubeletConfig: options.kubeletConfig ?? {},
  };
}

/** Start-up figures of a real node, in milliseconds. */
export interface RealNodeTimings {
  /** Waiting for the machine-wide lock and recording the host state. */
  guardMs: number;
  /** containerd spawn → its socket answers. */
  containerdMs: number;
  /** kubelet spawn → Node Ready. */
  kubeletToReadyMs: number;
  /** containerd spawn → Node Ready (what a test waits for). */
  startToReadyMs: number;
}

/** The text of the node's logs. */
export interface RealNodeLogs {
  kubelet: string;
  containerd: string;
  /** The host guard: recorded state, cleanup steps. */
  guard: string;
}

/** A running kubelet + containerd registered as a Node of the test control plane. */
export interface RealNode {
  /** The Node's name: set it as `spec.nodeName` (there is no scheduler). */
  readonly nodeName: string;
  /** The pause image the node's sandboxes run. */
  readonly pauseImage: string;
  readonly logDir: string;
  readonly runDir: string;
  readonly timings: RealNodeTimings;
  /** The logs so far (also readable after `stop()`). */
  logs(): RealNodeLogs;
  /**
   * Stops kubelet, containerd, the shims and every container, restores the host (sysctls,
   * iptables, bridge, cgroups, mounts, folders), removes the run folder and deletes the Node.
   * Throws RealNodeCleanupFailed (with the guard's log) when something could not be undone.
   */
  stop(): Promise<void>;
}

function onPath(bin: string): string | undefined {
  if (bin.includes('/')) return existsSync(bin) ? bin : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, bin);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  for (const dir of ['/usr/sbin', '/sbin']) if (existsSync(join(dir, bin))) return join(dir, bin);
  return undefined;
}

/** Why this host cannot run a real node (each missing piece), or an empty list. */
export function realNodeProblems(
  options: Pick<RealNodeOptions, 'kubelet' | 'containerd' | 'cniBinDir'>,
): string[] {
  const problems: string[] = [];
  if (process.platform !== 'linux') return [`the real node needs Linux (this is ${process.platform})`];
  if (process.getuid?.() !== 0)
    problems.push('the real node needs root (kubelet and containerd manage cgroups and mounts)');
  if (!options.kubelet || !existsSync(options.kubelet)) {
    problems.push(`kubelet not found at ${options.kubelet} (tools/k8s-testenv/build.sh builds it)`);
  }
  if (onPath(options.containerd ?? 'containerd') === undefined)
    problems.push('containerd is missing (Debian package containerd)');
  if (onPath('runc') === undefined) problems.push('runc is missing (Debian package runc)');
  const cni = options.cniBinDir ?? '/usr/lib/cni';
  for (const plugin of ['bridge', 'host-local']) {
    if (!existsSync(join(cni, plugin)))
      problems.push(`CNI plugin ${cni}/${plugin} is missing (Debian package containernetworking-plugins)`);
  }
  for (const tool of ['flock', 'ip', 'bash'])
    if (onPath(tool) === undefined) problems.push(`${tool} is missing`);
  if (!existsSync('/sys/fs/cgroup')) problems.push('/sys/fs/cgroup is not mounted');
  return problems;
}

function cgroupMounts(): string[] {
  const mounts = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash > 0 && (fields[dash + 1] === 'cgroup' || fields[dash + 1] === 'cgroup2') && fields[4]) {
      mounts.add(fields[4]);
    }
  }
  return [...mounts];
}

// kubelet requires its cgroupRoot to exist in every hierarchy; a new cpuset cgroup starts with no
// CPUs or memory nodes, so it gets its parent's.
function createCgroupRoot(name: string): void {
  for (const mount of cgroupMounts()) {
    const dir = join(mount, name);
    mkdirSync(dir, { recursive: true });
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const parent = join(mount, file);
      if (existsSync(parent) && readFileSync(join(dir, file), 'utf8').trim() === '') {
        writeFileSync(join(dir, file), readFileSync(parent, 'utf8'));
      }
    }
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function spawnLogged(bin: string, args: string[], logFile: string, pidFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`${bin} did not start`);
    writeFileSync(pidFile, `${child.pid}\n`);
    child.on('error', () => {});
    return child;
  } finally {
    closeSync(fd);
  }
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  dead: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = dead();
    if (why !== undefined) throw new Error(`${what}: ${why}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Starts a real node against the test control plane: containerd with its own config, root,
 * state and socket in a run folder, and kubelet v1.35.4 registered as a unique Node with a CNI
 * bridge. Resolves once the Node is Ready. Before touching the host it starts a guard that
 * takes a machine-wide lock, records what the node will change, and undoes it on `stop()` or
 * when the calling process dies (SIGKILL included). Throws RealNodeError: `RealNodeUnavailable`
 * (this host cannot run one: never a reason to skip silently) or `RealNodeStartFailed`.
 */
export async function startRealNode(kubeConfig: KubeConfig, options: RealNodeOptions): Promise<RealNode> {
  const o = resolveRealNodeOptions(options);
  const problems = realNodeProblems(o);
  if (problems.length > 0) {
    throw new RealNodeError(
      'RealNodeUnavailable',
      `this host cannot run a real node: ${problems.join('; ')}`,
    );
  }
  if (o.pauseImage === undefined && o.registry === undefined) {
    throw new RealNodeError(
      'RealNodeUnavailable',
      'startRealNode needs a registry (for the pause image) or a pauseImage',
    );
  }
  const id = o.nodeName.replace(/[^a-z0-9]/g, '').slice(-8) || randomBytes(4).toString('hex');
  const [kubeletPort, healthzPort] = await freePorts(2);
  const layout: NodeLayout = {
    nodeName: o.nodeName,
    runDir: join(o.runRoot, `abx-node-${id}`),
    logDir: o.logDir,
    socket: join(o.runRoot, `abx-node-${id}`, 'containerd', 'containerd.sock'),
    cgroupName: `agentbox-node-${id}`,
    bridge: `abx${id}`.slice(0, 15),
    podSubnet: `10.244.${Number.parseInt(id.slice(0, 2), 16) || 1}.0/24`,
    kubeletPort: kubeletPort ?? 10250,
    healthzPort: healthzPort ?? 10248,
  };
  const r = layout.runDir;
  mkdirSync(o.logDir, { recursive: true });
  // A reused log folder must not hand a previous node's stop request or state to this guard.
  for (const file of [
    'stop',
    'guard.state',
    'kubelet.pid',
    'containerd.pid',
    'kubelet.log',
    'containerd.log',
    'guard.log',
  ]) {
    rmSync(join(o.logDir, file), { force: true });
  }
  rmSync(join(o.logDir, 'host-before'), { recursive: true, force: true });
  // The guard's files stay in the log folder: the cleanup removes the run folder.
  const envFile = join(o.logDir, 'guard.env');
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    envFile,
    [
      `PARENT_PID=${process.pid}`,
      `RUN_DIR=${q(r)}`,
      `CTRL_DIR=${q(o.logDir)}`,
      `LOCK_FILE=${q(o.lockFile)}`,
      `LOCK_WAIT_SECONDS=${o.lockWaitSeconds}`,
      `TAKE_LOCK=${o.takeLock ? 1 : 0}`,
      `CGROUP_NAME=${q(layout.cgroupName)}`,
      `BRIDGE=${q(layout.bridge)}`,
      `SYSCTLS=${q(SYSCTLS.join(' '))}`,
      `HOST_PATHS=${q(HOST_PATHS.join(' '))}`,
      '',
    ].join('\n'),
  );
  const script = join(o.logDir, 'guard.sh');
  writeFileSync(script, HOST_GUARD_SCRIPT, { mode: 0o755 });
  const guardStart = performance.now();
  const guard = spawn('bash', [script, envFile], { detached: true, stdio: 'ignore' });
  guard.unref();
  const guardState = () => readText(join(o.logDir, 'guard.state')).trim();
  const logs = (): RealNodeLogs => ({
    kubelet: readText(join(o.logDir, 'kubelet.log')),
    containerd: readText(join(o.logDir, 'containerd.log')),
    guard: readText(join(o.logDir, 'guard.log')),
  });
  const requestStop = () => {
    if (!existsSync(join(o.logDir, 'stop'))) writeFileSync(join(o.logDir, 'stop'), '');
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      requestStop();
      const final = await waitFor(
        'undoing the real node',
        120_000,
        () => (['clean', 'cleanup-failed', 'lock-timeout'].includes(guardState()) ? guardState() : undefined),
        () => undefined,
      ).catch((err: unknown) => String(err));
      await kubeConfig
        .makeApiClient(CoreV1Api)
        .deleteNode({ name: o.nodeName })
        .catch(() => undefined);
      if (final !== 'clean' && final !== 'lock-timeout') {
        throw new RealNodeError(
          'RealNodeCleanupFailed',
          `the real node ${o.nodeName} left host changes behind (${final}):\n${tail(logs().guard)}`,
        );
      }
    })();
    return stopped;
  };

  let containerd: ChildProcess | undefined;
  let kubelet: ChildProcess | undefined;
  const exits = new Map<string, string>();
  const watchExit = (name: string, child: ChildProcess) =>
    child.once('exit', (code, signal) =>
      exits.set(name, signal ? `killed by ${signal}` : `exited with ${code}`),
    );
  try {
    await waitFor(
      `waiting for the machine-wide real-node lock ${o.lockFile}`,
      (o.lockWaitSeconds + 30) * 1000,
      () => (guardState() === 'ready' ? true : undefined),
      () => (guardState() === 'lock-timeout' ? 'another real node held it too long' : undefined),
    );
    const guardMs = performance.now() - guardStart;
    for (const dir of [
      'containerd/certs.d',
      'cni/net.d',
      'cni/ipam',
      'kubelet/pki',
      'pod-logs',
      'volume-plugins',
    ]) {
      mkdirSync(join(r, dir), { recursive: true, mode: 0o700 });
    }
    createCgroupRoot(layout.cgroupName);
    const pauseImage =
      o.pauseImage ??
      (
        await pushRunnableImage(o.registry as RegistryHandle, {
          repository: 'agentbox-testenv/pause',
          app: 'pause',
        })
      ).reference;
    for (const reg of o.registries) {
      const dir = join(r, 'containerd/certs.d', reg.host);
      mkdirSync(dir, { recursive: true });
      let caFile: string | undefined;
      if (reg.caCertificate !== undefined) {
        caFile = join(dir, 'ca.crt');
        writeFileSync(caFile, reg.caCertificate);
      }
      writeFileSync(join(dir, 'hosts.toml'), hostsToml(reg, caFile));
    }
    const containerdToml = join(r, 'containerd/config.toml');
    writeFileSync(containerdToml, containerdConfig(layout, pauseImage, o.cniBinDir, o.registries), {
      mode: 0o600,
    });
    writeFileSync(join(r, 'cni/net.d/10-agentbox.conflist'), cniConflist(layout));
    writeFileSync(join(r, 'kubelet-config.json'), kubeletConfig(layout, o.kubeletConfig));
    // The admin kubeconfig as kubelet's credentials (test-only token; the file is private).
    writeFileSync(join(r, 'kubeconfig'), kubeConfig.exportConfig(), { mode: 0o600 });

    const t0 = performance.now();
    containerd = spawnLogged(
      onPath(o.containerd) ?? o.containerd,
      ['--config', containerdToml],
      join(o.logDir, 'containerd.log'),
      join(o.logDir, 'containerd.pid'),
    );
    watchExit('containerd', containerd);
    await waitFor(
      'containerd start',
      60_000,
      () => (existsSync(layout.socket) ? true : undefined),
      () => exits.get('containerd'),
    );
    const containerdMs = performance.now() - t0;
    const t1 = performance.now();
    kubelet = spawnLogged(
      o.kubelet,
      [
        `--config=${join(r, 'kubelet-config.json')}`,
        `--kubeconfig=${join(r, 'kubeconfig')}`,
        `--hostname-override=${o.nodeName}`,
        `--root-dir=${join(r, 'kubelet')}`,
        `--cert-dir=${join(r, 'kubelet/pki')}`,
        `--v=${o.kubeletVerbosity}`,
      ],
      join(o.logDir, 'kubelet.log'),
      join(o.logDir, 'kubelet.pid'),
    );
    watchExit('kubelet', kubelet);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await waitFor(
      `Node ${o.nodeName} Ready`,
      o.readyTimeoutMs,
      async () => {
        const node = await core.readNode({ name: o.nodeName }).catch(() => undefined);
        const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.status === 'True' ? true : undefined;
      },
      () => exits.get('kubelet') ?? exits.get('containerd'),
    );
    const readyAt = performance.now();
    const timings: RealNodeTimings = {
      guardMs,
      containerdMs,
      kubeletToReadyMs: readyAt - t1,
      startToReadyMs: readyAt - t0,
    };
    return { nodeName: o.nodeName, pauseImage, logDir: o.logDir, runDir: r, timings, logs, stop };
  } catch (err) {
    const l = logs();
    const message =
      `the real node ${o.nodeName} did not start: ${err instanceof Error ? err.message : String(err)}\n` +
      `--- kubelet (${o.logDir}/kubelet.log) ---\n${tail(l.kubelet)}\n` +
      `--- containerd (${o.logDir}/containerd.log) ---\n${tail(l.containerd, 20)}\n` +
      `--- guard ---\n${tail(l.guard, 20)}`;
    await stop().catch(() => undefined);
    throw new RealNodeError('RealNodeStartFailed', message, { cause: err });
  }
}

/** A held machine-wide real-node lock (see {@link holdRealNodeLock}). */
export interface RealNodeLock {
  /** Releases the lock. */
  release(): Promise<void>;
}

/**
 * Takes the machine-wide real-node lock for the caller (held by a `flock` child that lets go
 * when this process dies), so that a test can compare host snapshots with no other real node
 * running in between; start nodes inside with `takeLock: false`.
 */
export async function holdRealNodeLock(
  lockFile: string = join(tmpdir(), 'agentbox-real-node.lock'),
  waitSeconds = 900,
): Promise<RealNodeLock> {
  const holder = spawn(
    'flock',
    [
      '-o',
      '-w',
      String(waitSeconds),
      lockFile,
      'bash',
      '-c',
      'echo locked; while kill -0 "$1" 2> /dev/null; do sleep 0.5; done',
      'lock',
      String(process.pid),
    ],
    // Its own process group, so release() ends flock and its waiting shell together.
    { stdio: ['ignore', 'pipe', 'ignore'], detached: true },
  );
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('locked')) resolve();
    });
    holder.once('exit', (code) =>
      reject(
        new RealNodeError('RealNodeStartFailed', `could not take ${lockFile} (flock exited with ${code})`),
      ),
    );
  });
  return {
    async release() {
      if (holder.pid !== undefined && holder.exitCode === null) process.kill(-holder.pid, 'SIGKILL');
      await exited;
    },
  };
}
