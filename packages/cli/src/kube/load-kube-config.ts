import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../cli-error.js';

/** A kubeconfig cluster entry (the fields agentbox reads). */
export interface KubeconfigCluster {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

/** A kubeconfig user entry (the fields agentbox reads; anything else makes it fall back to client-node). */
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
  [key: string]: unknown;
}

/** The one context a command talks to, resolved from the kubeconfig files (or the in-cluster service account). */
export interface ResolvedKubeConfig {
  /** Where it came from: the file paths, or `in-cluster`. */
  source: string;
  contextName: string;
  clusterName: string;
  userName: string;
  cluster: KubeconfigCluster;
  user: KubeconfigUser;
  /** The `-n` default: the context's namespace, else `default`. */
  namespace: string;
}

/** Inputs of loadKubeConfig: the global flags and the environment. */
export interface LoadKubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  env?: NodeJS.ProcessEnv;
}

interface RawKubeconfig {
  'current-context'?: string;
  clusters?: { name?: string; cluster?: KubeconfigCluster }[];
  users?: { name?: string; user?: KubeconfigUser }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Resolves the kubeconfig as kubectl does: `--kubeconfig`, else every file of `KUBECONFIG` (merged, the first
 * file to set a name wins), else `~/.kube/config`, else the in-cluster service account; then `--context` or the
 * current context. It parses YAML with the `yaml` package only, so a command that needs no exec plugin never
 * loads client-node. Errors never quote the file's contents (it holds credentials).
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): ResolvedKubeConfig {
  const env = options.env ?? process.env;
  let files: string[];
  if (options.kubeconfig) {
    files = [resolve(options.kubeconfig)];
    if (!existsSync(files[0] as string)) {
      throw new CliError(`kubeconfig ${options.kubeconfig}: no such file`, { code: 'KubeconfigInvalid' });
    }
  } else if (env['KUBECONFIG']) {
    files = env['KUBECONFIG']
      .split(':')
      .filter(Boolean)
      .map((f) => resolve(f))
      .filter((f) => existsSync(f));
  } else {
    const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
    files = existsSync(home) ? [home] : [];
  }
  if (files.length === 0) {
    const inCluster = loadInCluster(env);
    if (inCluster) return inCluster;
    throw new CliError(
      'no kubeconfig: set --kubeconfig or KUBECONFIG, create ~/.kube/config, or run in a pod',
      { code: 'KubeconfigInvalid' },
    );
  }

  const merged: Required<Pick<RawKubeconfig, 'clusters' | 'users' | 'contexts'>> & RawKubeconfig = {
    clusters: [],
    users: [],
    contexts: [],
  };
  for (const file of files) {
    const raw = readKubeconfigFile(file);
    merged['current-context'] ??= raw['current-context'] || undefined;
    for (const c of raw.clusters ?? []) {
      if (c?.name && c.cluster && !merged.clusters.some((x) => x.name === c.name)) {
        merged.clusters.push({
          name: c.name,
          cluster: absolutePaths(c.cluster, file, ['certificate-authority']),
        });
      }
    }
    for (const u of raw.users ?? []) {
      if (u?.name && u.user && !merged.users.some((x) => x.name === u.name)) {
        merged.users.push({
          name: u.name,
          user: absolutePaths(u.user, file, ['client-certificate', 'client-key', 'tokenFile']),
        });
      }
    }
    for (const c of raw.contexts ?? []) {
      if (c?.name && c.context && !merged.contexts.some((x) => x.name === c.name)) merged.contexts.push(c);
    }
  }

  const source = files.join(':');
  const contextName = options.context || merged['current-context'];
  if (!contextName) {
    throw new CliError(`kubeconfig ${source}: no current context (use --context)`, {
      code: 'KubeconfigInvalid',
    });
  }
  const context = merged.contexts.find((c) => c.name === contextName)?.context;
  if (!context) {
    throw new CliError(`kubeconfig ${source}: context "${contextName}" not found`, {
      code: 'KubeconfigInvalid',
    });
  }
  const clusterName = context.cluster ?? '';
  const cluster = merged.clusters.find((c) => c.name === clusterName)?.cluster;
  if (!cluster?.server) {
    throw new CliError(`kubeconfig ${source}: context "${contextName}" has no cluster with a server`, {
      code: 'KubeconfigInvalid',
    });
  }
  const userName = context.user ?? '';
  const user = merged.users.find((u) => u.name === userName)?.user ?? {};
  return {
    source,
    contextName,
    clusterName,
    userName,
    cluster,
    user,
    namespace: context.namespace || 'default',
  };
}

function readKubeconfigFile(file: string): RawKubeconfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, {
      code: 'KubeconfigInvalid',
    });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    // The yaml package quotes the offending line, which may hold a token: report only where it is.
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw new CliError(`kubeconfig ${file}: not valid YAML${where}`, { code: 'KubeconfigInvalid' });
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CliError(`kubeconfig ${file}: not a kubeconfig (expected a mapping)`, {
      code: 'KubeconfigInvalid',
    });
  }
  const k = raw as RawKubeconfig;
  for (const field of ['clusters', 'users', 'contexts'] as const) {
    if (k[field] !== undefined && k[field] !== null && !Array.isArray(k[field])) {
      throw new CliError(`kubeconfig ${file}: "${field}" is not a list`, { code: 'KubeconfigInvalid' });
    }
  }
  return k;
}

function absolutePaths<T extends object>(entry: T, file: string, keys: string[]): T {
  const out: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const key of keys) {
    const v = out[key];
    if (typeof v === 'string' && v && !isAbsolute(v)) out[key] = resolve(dirname(file), v);
  }
  return out as T;
}

function loadInCluster(env: NodeJS.ProcessEnv): ResolvedKubeConfig | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port || !existsSync(join(serviceAccountDir, 'token'))) return undefined;
  const namespaceFile = join(serviceAccountDir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : 'default';
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    source: 'in-cluster',
    contextName: 'in-cluster',
    clusterName: 'in-cluster',
    userName: 'in-cluster',
    cluster: { server: `https://${h}:${port}`, 'certificate-authority': join(serviceAccountDir, 'ca.crt') },
    user: { tokenFile: join(serviceAccountDir, 'token') },
    namespace: namespace || 'default',
  };
}
