/** Host paths kubelet, containerd or the CNI plugins may create; the guard removes those that were absent. */
export const HOST_PATHS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd',
  '/opt/containerd',
  '/var/lib/cni',
  '/run/netns',
  '/run/xtables.lock',
  '/etc/cni',
  '/opt/cni',
  '/var/lib/containerd',
  '/usr/libexec/kubernetes',
  '/etc/kubernetes',
];

/** Every sysctl kubelet or the bridge plugin may set; restoring an unchanged one is a no-op. */
export const SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'net.ipv4.ip_forward',
  'net.ipv6.conf.all.forwarding',
  'net.ipv4.conf.all.route_localnet',
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
];
