import { KubeConfig } from '@kubernetes/client-node';
import type {} from 'vitest';

/** How to reach the test control plane as its admin: what the global setup hands to test files. */
export interface ControlPlaneAccess {
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** Static bearer token of the `admin` user (group `system:masters`). */
  token: string;
  /** PEM of the CA that signed the server's self-signed certificate. */
  caData: string;
  /** Path of a kubeconfig file with the same cluster and user (for CLIs). */
  kubeconfigPath: string;
}

/** What the control-plane global setup provides: the access, plus the built Kubernetes binaries. */
export interface ProvidedControlPlane extends ControlPlaneAccess {
  /** Path of kubectl v1.35.4 (use it with `--kubeconfig <kubeconfigPath>`). */
  kubectl: string;
  /** Path of kubelet v1.35.4 for `startRealNode`; undefined where it is not built (not Linux). */
  kubelet: string | undefined;
  /** Seconds each binary's last cold build took, by binary name (`kubelet`, `kubectl`, …). */
  binaryBuildSeconds: Readonly<Record<string, number>>;
  /** True when this run built the binaries (a cold cache). */
  builtInThisRun: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's real kube-apiserver, started by `packages/testenv/src/global-setup/control-plane.ts`. */
    controlPlane: ProvidedControlPlane;
  }
}

/** Builds a client-node `KubeConfig` for the control plane, with `namespace` as the context's default. */
export function kubeConfigFor(
  access: Omit<ControlPlaneAccess, 'kubeconfigPath'>,
  namespace = 'default',
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'agentbox-testenv',
        server: access.server,
        caData: Buffer.from(access.caData).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'admin', token: access.token }],
    contexts: [{ name: 'agentbox-testenv', cluster: 'agentbox-testenv', user: 'admin', namespace }],
    currentContext: 'agentbox-testenv',
  });
  return kc;
}

/** The kubeconfig file text (YAML) for the control plane's admin. */
export function kubeconfigYaml(access: Omit<ControlPlaneAccess, 'kubeconfigPath'>): string {
  const ca = Buffer.from(access.caData).toString('base64');
  // JSON is valid YAML and keeps this file free of a serializer dependency.
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'agentbox-testenv', cluster: { server: access.server, 'certificate-authority-data': ca } },
      ],
      users: [{ name: 'admin', user: { token: access.token } }],
      contexts: [
        {
          name: 'agentbox-testenv',
          context: { cluster: 'agentbox-testenv', user: 'admin', namespace: 'default' },
        },
      ],
      'current-context': 'agentbox-testenv',
    },
    null,
    2,
  )}\n`;
}
