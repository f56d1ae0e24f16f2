import { type KubeClient, secretsPath } from '@agentbox/controller';

interface SecretObject {
  type?: string;
  data?: Record<string, string>;
}

/** A resolver SecretReader reading pull secrets through the API (the secret's data never leaves the resolver). */
export function kubeSecretReader(kube: KubeClient) {
  return {
    async getSecret(namespace: string, name: string) {
      try {
        const s = await kube.request<SecretObject>({ path: secretsPath(namespace, name) });
        return { type: s.type ?? '', data: s.data ?? {} };
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
  };
}
