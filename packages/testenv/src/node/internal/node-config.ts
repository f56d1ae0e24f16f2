import type { RegistryHandle } from '../../registry/registry-handle.js';

/** The paths and names one real node uses; everything lives under `runDir` except the logs. */
export interface NodeLayout {
  readonly nodeName: string;
  readonly runDir: string;
  readonly logDir: string;
  readonly socket: string;
  readonly cgroupName: string;
  readonly bridge: string;
  readonly podSubnet: string;
  readonly kubeletPort: number;
  readonly healthzPort: number;
}

function toml(value: string): string {
  return JSON.stringify(value);
}

/**
 * containerd 1.6's config (version 2): its own root, state, sockets, runc state and `opt`
 * folder under the run folder; CRI with the harness's pause image, `restrict_oom_score_adj`
 * (this VM refuses negative OOM scores: every sandbox would fail without it), network
 * namespaces under the state folder, cgroupfs, and per-registry hosts.toml files.
 */
export function containerdConfig(
  layout: NodeLayout,
  pauseImage: string,
  cniBinDir: string,
  registries: readonly RegistryHandle[],
): string {
  const r = layout.runDir;
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const auth = registries
    .filter((reg) => reg.credentials !== undefined)
    .map(
      (reg) =>
        `[${cri}.registry.configs.${toml(reg.host)}.auth]\n` +
        `  username = ${toml(reg.credentials?.username ?? '')}\n` +
        `  password = ${toml(reg.credentials?.password ?? '')}\n`,
    )
    .join('');
  return `version = 2
root = ${toml(`${r}/containerd/root`)}
state = ${toml(`${r}/containerd/state`)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${toml(layout.socket)}

[ttrpc]
  address = ${toml(`${layout.socket}.ttrpc`)}

[debug]
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${toml(`${r}/containerd/opt`)}

[${cri}]
  sandbox_image = ${toml(pauseImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  disable_tcp_service = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  Root = ${toml(`${r}/containerd/runc`)}

[${cri}.cni]
  bin_dir = ${toml(cniBinDir)}
  conf_dir = ${toml(`${r}/cni/net.d`)}
  max_conf_num = 1

[${cri}.registry]
  config_path = ${toml(`${r}/containerd/certs.d`)}

${auth}`;
}

/** `certs.d/<host>/hosts.toml` for a test registry: plain HTTP, or HTTPS trusting the test CA in `caFile`. */
export function hostsToml(registry: RegistryHandle, caFile: string | undefined): string {
  return (
    `server = ${toml(registry.url)}\n\n[host.${toml(registry.url)}]\n  capabilities = ["pull", "resolve"]\n` +
    (caFile === undefined ? '' : `  ca = ${toml(caFile)}\n`)
  );
}

/** A bridge + host-local conflist: pods get an IP on a per-node bridge; no masquerading, so no iptables rules. */
export function cniConflist(layout: NodeLayout): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: layout.cgroupName,
      plugins: [
        {
          type: 'bridge',
          bridge: layout.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: false,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: layout.podSubnet }]],
            dataDir: `${layout.runDir}/cni/ipam`,
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

/**
 * The KubeletConfiguration of a test node on this VM kind: cgroup v1 allowed (`failCgroupV1:
 * false`, else kubelet refuses to start), cgroupfs under the node's own cgroup root, swap
 * tolerated, every port on 127.0.0.1 (free ports, no read-only port), anonymous requests
 * allowed (the API server's `logs`/`exec` reach it without client certificates), pod logs and
 * volume plugins under the run folder, eviction and image GC effectively off.
 */
export function kubeletConfig(layout: NodeLayout, extra: Readonly<Record<string, unknown>>): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: `/${layout.cgroupName}`,
      failSwapOn: false,
      address: '127.0.0.1',
      port: layout.kubeletPort,
      healthzBindAddress: '127.0.0.1',
      healthzPort: layout.healthzPort,
      readOnlyPort: 0,
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
      authorization: { mode: 'AlwaysAllow' },
      containerRuntimeEndpoint: `unix://${layout.socket}`,
      podLogsDir: `${layout.runDir}/pod-logs`,
      volumePluginDir: `${layout.runDir}/volume-plugins`,
      evictionHard: {
        'memory.available': '1Mi',
        'nodefs.available': '1%',
        'nodefs.inodesFree': '1%',
        'imagefs.available': '1%',
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      hairpinMode: 'none',
      makeIPTablesUtilChains: false,
      shutdownGracePeriod: '0s',
      ...extra,
    },
    null,
    2,
  )}\n`;
}
