import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_PATHS, SYSCTLS } from './internal/host-changes.js';

/** What a real node may change on the host, as plain sorted data (compare two with `toEqual`). */
export interface HostState {
  /** `name value` of every sysctl kubelet or the bridge plugin may set. */
  sysctls: Record<string, string>;
  /** `iptables-save`/`ip6tables-save` of filter, nat and mangle without counters, and `nft list ruleset`. */
  firewall: Record<string, string>;
  /** Mount points (from /proc/self/mountinfo). */
  mounts: string[];
  /** Network interface names. */
  interfaces: string[];
  /** kubelet, containerd, shim and runc processes, and any process naming a real node's run folder (zombies excluded). */
  processes: string[];
  /** Top-level cgroups of every hierarchy (`<mount>/<name>`). */
  cgroups: string[];
  /** Entries of /run, /var/lib, /var/log, /opt and /etc, and which of the paths a node may create exist. */
  paths: string[];
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function mountinfo(): string[][] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '));
}

/**
 * Reads the host state a real node touches: sysctls, firewall rules, mounts, interfaces,
 * processes, cgroups and folders. Used to prove that `stop()` (and the guard after a crash)
 * leaves the host as it found it.
 */
export function captureHostState(): HostState {
  const sysctls: Record<string, string> = {};
  for (const name of SYSCTLS) {
    const file = `/proc/sys/${name.replaceAll('.', '/')}`;
    if (existsSync(file)) sysctls[name] = readFileSync(file, 'utf8').trim();
  }
  const firewall: Record<string, string> = {};
  for (const tool of ['iptables-save', 'ip6tables-save']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      firewall[`${tool} -t ${table}`] = run(tool, ['-t', table])
        .split('\n')
        .filter((l) => l.startsWith(':') || l.startsWith('-A'))
        .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
        .join('\n');
    }
  }
  firewall.nft = run('nft', ['list', 'ruleset']);
  const mounts = mountinfo()
    .map((f) => f[4] ?? '')
    .sort();
  const interfaces = readdirSync('/sys/class/net').sort();
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    let comm = '';
    try {
      // A zombie (killed, not yet reaped by init — shims are daemons whose parent is init) holds
      // nothing but its pid: it is init's to reap, not a process the node left running.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (/^(kubelet|containerd|containerd-shim.*|runc)$/.test(comm) || cmdline.includes('/abx-node-')) {
      processes.push(`${comm}: ${cmdline}`);
    }
  }
  const cgroupMounts = new Set(
    mountinfo()
      .filter((f) => {
        const type = f[f.indexOf('-') + 1];
        return type === 'cgroup' || type === 'cgroup2';
      })
      .map((f) => f[4] ?? ''),
  );
  const cgroups = [...cgroupMounts]
    .flatMap((m) => {
      try {
        return readdirSync(m, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(m, d.name));
      } catch {
        return [];
      }
    })
    .sort();
  const paths = [
    ...['/run', '/var/lib', '/var/log', '/opt', '/etc'].flatMap(list),
    ...HOST_PATHS.filter((p) => existsSync(p)).map((p) => `exists ${p}`),
  ].sort();
  return { sysctls, firewall, mounts, interfaces, processes: processes.sort(), cgroups, paths };
}
