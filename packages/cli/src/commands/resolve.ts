import type { CliContext } from '../cli-context.js';
import { usageError } from '../cli-error.js';
import { kubeSecretReader } from '../internal/secret-reader.js';
import { withWhat } from '../output/describe-error.js';
import { formatTable } from '../output/format-table.js';
import { printStructured } from '../output/print-objects.js';

interface ResolveCommandOptions {
  pullSecret?: string[];
  platform: string;
  output?: 'json' | 'yaml';
}

/**
 * `agentbox resolve IMAGE`: the manifest digest and the platform's config digest, as the controller's resolver
 * sees them: with the namespace's pull secrets when named, else the local docker config, else anonymous.
 */
export async function run(ctx: CliContext, image: string, opts: ResolveCommandOptions): Promise<void> {
  const [os, architecture, variant] = opts.platform.split('/');
  if (!os || !architecture)
    throw usageError(`invalid value for --platform: "${opts.platform}" (want os/arch)`);
  const pullSecrets = opts.pullSecret ?? [];
  const { createRegistryResolver } = await import('@agentbox/resolver-registry');
  const kube = pullSecrets.length > 0 ? await ctx.kube() : undefined;
  const namespace = pullSecrets.length > 0 ? ctx.namespace() : undefined;
  const resolver = createRegistryResolver({
    ...(kube ? { secretReader: kubeSecretReader(kube) } : {}),
    platform: { os, architecture, ...(variant ? { variant } : {}) },
  });
  ctx.onClose(() => resolver.close());
  const resolveOpts = { namespace, pullSecrets, signal: ctx.signal };
  let digest: string;
  let configDigest: string;
  try {
    [digest, configDigest] = await Promise.all([
      resolver.resolve(image, resolveOpts),
      resolver.resolveConfigDigest(image, resolveOpts),
    ]);
  } catch (err) {
    throw withWhat(`resolve ${image}`, err, kube?.server);
  }
  if (opts.output) {
    printStructured(ctx.io, opts.output, { image, digest, configDigest, platform: opts.platform });
    return;
  }
  ctx.io.out(formatTable(['Image', 'Digest', 'Config-Digest'], [[image, digest, configDigest]]));
}
