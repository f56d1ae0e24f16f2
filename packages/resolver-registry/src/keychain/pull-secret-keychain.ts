import { z } from 'zod';
import { InvalidCredentialsConfigError } from '../errors/invalid-credentials-config-error.js';
import {
  credentialFromAuthEntry,
  dockerAuthEntrySchema,
  findRegistryKey,
} from '../internal/docker-config-auths.js';
import type { Keychain } from './keychain.js';

/** A Kubernetes Secret as this package needs it: its type and base64-encoded data (as the API returns it). */
export interface PullSecret {
  /** Secret type, e.g. `kubernetes.io/dockerconfigjson`. */
  readonly type: string;
  /** Data values, base64-encoded exactly as in the Secret object. */
  readonly data: Readonly<Record<string, string>>;
}

/** The narrow port through which pull secrets are read, so this package never imports a Kubernetes client. */
export interface SecretReader {
  /** Returns the secret, or `undefined` when it does not exist. */
  getSecret(namespace: string, name: string): Promise<PullSecret | undefined>;
}

/** Options of {@link createPullSecretKeychain}. */
export interface PullSecretKeychainOptions {
  /** Reads secrets of the pod's namespace. */
  readonly secretReader: SecretReader;
}

const DOCKERCONFIGJSON = 'kubernetes.io/dockerconfigjson';
const DOCKERCFG = 'kubernetes.io/dockercfg';
const authsSchema = z.record(z.string(), dockerAuthEntrySchema);
const dockerConfigJsonSchema = z.object({ auths: authsSchema });

/**
 * Credentials from the pod's image pull secrets (`kubernetes.io/dockerconfigjson` and the legacy
 * `kubernetes.io/dockercfg`), tried in the pod's order like kubelet; a missing secret or one of another type is
 * skipped, a malformed one is an error naming namespace/name (never its content).
 */
export function createPullSecretKeychain(options: PullSecretKeychainOptions): Keychain {
  return {
    async credentialsFor(request) {
      const { namespace, pullSecrets } = request;
      if (namespace === undefined || pullSecrets === undefined) return undefined;
      for (const name of pullSecrets) {
        const secret = await options.secretReader.getSecret(namespace, name);
        if (secret === undefined) continue;
        const source = `pull secret ${namespace}/${name}`;
        let auths: z.infer<typeof authsSchema>;
        if (secret.type === DOCKERCONFIGJSON) {
          auths = decode(secret.data['.dockerconfigjson'], dockerConfigJsonSchema, source).auths;
        } else if (secret.type === DOCKERCFG) {
          auths = decode(secret.data['.dockercfg'], authsSchema, source);
        } else {
          continue;
        }
        const key = findRegistryKey(Object.keys(auths), request.registry, request.repository);
        const credential = key === undefined ? undefined : credentialFromAuthEntry(auths[key]!);
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
  };
}

function decode<T>(value: string | undefined, schema: z.ZodType<T>, source: string): T {
  if (value === undefined) throw new InvalidCredentialsConfigError(source, 'has no docker config key');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw new InvalidCredentialsConfigError(source, 'is not base64-encoded JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new InvalidCredentialsConfigError(source, 'does not have the docker config shape');
  return parsed.data;
}
