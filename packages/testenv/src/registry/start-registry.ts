import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../internal/free-port.js';
import { forgetPid, rememberPid } from '../internal/process-reaper.js';
import { forgetDirectory, trackDirectory } from './internal/exit-cleanup.js';
import { probeHttp, probeHttps } from './internal/registry-probe.js';
import { runCommand } from './internal/run-command.js';
import { createSigningKey } from './internal/signing-key.js';
import { markOwner, sweepStaleDirectories } from './internal/stale-directories.js';
import { createServingCertificate, type ServingCertificate } from './internal/test-certificate-authority.js';
import { registryCredentials } from './registry-credentials.js';
import type { RegistryAuth, RegistryCredentials, RegistryHandle } from './registry-handle.js';
import { RegistryHarnessError } from './registry-harness-error.js';
import {
  startTokenServer,
  type TokenField,
  type TokenRequestRecord,
  type TokenServer,
} from './token-server.js';

/** Options of `startRegistry`. */
export interface StartRegistryOptions {
  /** Auth mode. Default: `'none'`. */
  readonly auth?: RegistryAuth;
  /** User name for `basic` and `token`. Default: `'agentbox'`. */
  readonly username?: string;
  /** Password for `basic` and `token`. Default: 24 random bytes, base64url. */
  readonly password?: string;
  /** Token lifetime in seconds (`token` only). Default: 60. */
  readonly expiresIn?: number;
  /** Token answer fields (`token` only). Default: `['token', 'access_token']`. */
  readonly tokenFields?: readonly TokenField[];
  /** Folder under which the registry's temporary folder is made. Default: `/dev/shm` when present, else the OS temp dir. */
  readonly storageParent?: string;
  /** Registry log level. Default: `'warn'`. */
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** How long to wait for `GET /v2/` to answer, in ms. Default: 20000. */
  readonly startTimeoutMs?: number;
  /** Path of the registry binary. Default: `/usr/bin/docker-registry`. */
  readonly binary?: string;
  /**
   * Serve `https://` with a server certificate for 127.0.0.1 signed by a fresh test CA (its PEM is the
   * handle's `caCertificate`). Default: `false` (plain HTTP).
   */
  readonly tls?: boolean;
}

/** The token server of a token-auth test registry, as seen by tests. */
export interface TestTokenServer {
  readonly url: string;
  readonly realm: string;
  readonly service: string;
  /** Number of token requests received so far. */
  tokenRequests(): number;
  /** Every token request received so far (scopes, authenticated, status). */
  tokenRequestLog(): readonly TokenRequestRecord[];
}

/** A running Distribution registry on 127.0.0.1, started by `startRegistry`. */
export interface TestRegistry extends RegistryHandle {
  readonly tokenServer?: TestTokenServer;
  /** The registry's temporary folder (config, storage, htpasswd or token certificate); removed by `stop()`. */
  readonly storageDir: string;
  /** What the registry process wrote so far (stdout and stderr, last 256 KiB). */
  logs(): string;
  /** Kills the registry (and its token server) and removes its temporary folder. */
  stop(): Promise<void>;
}

type ResolvedOptions = Required<Omit<StartRegistryOptions, 'password'>> & { password: string };

function resolveOptions(options: StartRegistryOptions): ResolvedOptions {
  return {
    auth: options.auth ?? 'none',
    username: options.username ?? 'agentbox',
    password: options.password ?? randomBytes(24).toString('base64url'),
    expiresIn: options.expiresIn ?? 60,
    tokenFields: options.tokenFields ?? ['token', 'access_token'],
    storageParent: options.storageParent ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()),
    logLevel: options.logLevel ?? 'warn',
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
    binary: options.binary ?? '/usr/bin/docker-registry',
    tls: options.tls ?? false,
  };
}

const MAX_LOG = 256 * 1024;
const DIR_PREFIX = 'agentbox-registry-';
const SERVICE = 'agentbox-testenv-registry';
const ISSUER = 'agentbox-testenv-token-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Debian's `docker-registry` (CNCF Distribution) on 127.0.0.1 and a free port, in one auth mode. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const opts = resolveOptions(options);
  sweepStaleDirectories(opts.storageParent, DIR_PREFIX);
  const dir = await mkdtemp(join(opts.storageParent, DIR_PREFIX));
  trackDirectory(dir);
  markOwner(dir);
  let tokenServer: TokenServer | undefined;
  try {
    const auth: Record<string, unknown> = {};
    if (opts.auth === 'basic') {
      const line = await runCommand('htpasswd', ['-B', '-i', '-n', opts.username], opts.password);
      await writeFile(join(dir, 'htpasswd'), line.trim() + '\n', { mode: 0o600 });
      auth['htpasswd'] = { realm: 'agentbox-testenv', path: join(dir, 'htpasswd') };
    } else if (opts.auth === 'token') {
      const key = await createSigningKey('agentbox-testenv-token-signer');
      await writeFile(join(dir, 'token-root.pem'), key.certPem);
      tokenServer = await startTokenServer({
        service: SERVICE,
        issuer: ISSUER,
        key,
        credentials: { username: opts.username, password: opts.password },
        expiresIn: opts.expiresIn,
        fields: opts.tokenFields,
      });
      auth['token'] = {
        realm: tokenServer.realm,
        service: SERVICE,
        issuer: ISSUER,
        rootcertbundle: join(dir, 'token-root.pem'),
      };
    }
    await mkdir(join(dir, 'data'));
    const serving = opts.tls ? await createServingCertificate(dir) : undefined;

    let lastError: RegistryHarnessError | undefined;
    // A free port can be taken between probing and binding: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = {
        version: 0.1,
        log: { level: opts.logLevel, formatter: 'text', accesslog: { disabled: true } },
        storage: {
          filesystem: { rootdirectory: join(dir, 'data') },
          delete: { enabled: true },
          maintenance: { uploadpurging: { enabled: false } },
        },
        http: {
          addr: `127.0.0.1:${port}`,
          secret: randomBytes(16).toString('hex'),
          ...(serving !== undefined ? { tls: { certificate: serving.certPath, key: serving.keyPath } } : {}),
        },
        health: { storagedriver: { enabled: false } },
        ...(Object.keys(auth).length > 0 ? { auth } : {}),
      };
      const configPath = join(dir, 'config.yml');
      await writeFile(configPath, stringify(config));
      const started = await launch(opts, configPath, port, serving, dir);
      if (started.ok) {
        return buildRegistry(opts, port, dir, started.child, started.logs, tokenServer, serving);
      }
      lastError = started.error;
      if (!started.portInUse) break;
    }
    throw lastError ?? new RegistryHarnessError('RegistryStartFailed', 'docker-registry did not start');
  } catch (error) {
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    forgetDirectory(dir);
    throw error;
  }
}

type LaunchResult =
  | { ok: true; child: ChildProcess; logs: () => string }
  | { ok: false; error: RegistryHarnessError; portInUse: boolean };

async function launch(
  opts: ResolvedOptions,
  configPath: string,
  port: number,
  serving: ServingCertificate | undefined,
  dir: string,
): Promise<LaunchResult> {
  // setpriv --pdeathsig makes the kernel kill the registry if this process dies without cleanup.
  const viaSetpriv = existsSync('/usr/bin/setpriv');
  const command = viaSetpriv ? '/usr/bin/setpriv' : opts.binary;
  const args = viaSetpriv
    ? ['--pdeathsig', 'SIGKILL', '--', opts.binary, 'serve', configPath]
    : ['serve', configPath];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer): void => {
    log += chunk.toString('utf8');
    if (log.length > MAX_LOG) log = log.slice(log.length - MAX_LOG);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  child.once('error', (error) => {
    exited = `failed to spawn: ${error.message}`;
  });
  // Killed on exit, and by a detached watchdog (which also removes `dir`) if this process is SIGKILLed.
  if (child.pid !== undefined) rememberPid(child.pid, [dir]);

  const deadline = Date.now() + opts.startTimeoutMs;
  const fail = async (why: string): Promise<LaunchResult> => {
    await killChild(child);
    const portInUse = /address already in use/i.test(log);
    const message = `docker-registry on 127.0.0.1:${port} ${why}; its log:\n${log.trim() || '(empty)'}`;
    return { ok: false, error: new RegistryHarnessError('RegistryStartFailed', message), portInUse };
  };
  const probe = serving === undefined ? probeHttp : probeHttps(serving.caPem);
  try {
    while (Date.now() < deadline) {
      if (exited !== undefined) return await fail(exited);
      try {
        const status = await probe(port);
        if (status === 200 || status === 401) return { ok: true, child, logs: () => log };
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    return await fail(`did not answer GET /v2/ within ${opts.startTimeoutMs} ms`);
  } finally {
    await probe.close?.();
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.pid !== undefined) forgetPid(child.pid);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function buildRegistry(
  opts: ResolvedOptions,
  port: number,
  dir: string,
  child: ChildProcess,
  logs: () => string,
  tokenServer: TokenServer | undefined,
  serving: ServingCertificate | undefined,
): TestRegistry {
  const credentials: RegistryCredentials | undefined =
    opts.auth === 'none' ? undefined : registryCredentials(opts.username, opts.password);
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await killChild(child);
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    forgetDirectory(dir);
  };
  const registry: TestRegistry = {
    host: `127.0.0.1:${port}`,
    url: `${serving !== undefined ? 'https' : 'http'}://127.0.0.1:${port}`,
    auth: opts.auth,
    ...(serving !== undefined ? { caCertificate: serving.caPem } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(tokenServer !== undefined
      ? {
          tokenServer: {
            url: tokenServer.url,
            realm: tokenServer.realm,
            service: tokenServer.service,
            tokenRequests: () => tokenServer.tokenRequests(),
            tokenRequestLog: () => tokenServer.tokenRequestLog(),
          },
        }
      : {}),
    storageDir: dir,
    logs,
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
  };
  return registry;
}
