import { createKubeClient, type KubeClient } from '../kube/kube-client.js';
import { createDefaultResolver, type DefaultResolver } from '../resolver/create-default-resolver.js';
import { claim } from './claim.js';
import { explainSandbox } from './explain-sandbox.js';
import { getSandbox } from './get-sandbox.js';
import { ClaimCoordinator } from './internal/claim-coordinator.js';
import { retryReads } from './internal/retry-reads.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { listSandboxes } from './list-sandboxes.js';
import { release } from './release.js';
import type { SandboxClient } from './sandbox-client.js';
import { resolveSandboxClientOptions, type SandboxClientOptions } from './sandbox-client-options.js';
import { touch } from './touch.js';
import { waitForSandbox } from './wait-for-sandbox.js';

/**
 * A SandboxClient talking to the API server of `kubeConfig` through one keep-alive KubeClient (made on
 * first use). Claims and releases are direct pod writes; no controller call is involved.
 */
export function createSandboxClient(options: SandboxClientOptions): SandboxClient {
  const opts = resolveSandboxClientOptions(options);
  let kube: Promise<KubeClient> | undefined;
  let defaultResolver: Promise<DefaultResolver> | undefined;
  const ctx: SandboxContext = {
    options: opts,
    claims: new ClaimCoordinator(),
    kube: () => {
      kube ??= createKubeClient(opts.kubeConfig, opts.kube).then(retryReads);
      return kube;
    },
    resolver: async () => {
      if (opts.resolver) return opts.resolver;
      defaultResolver ??= ctx.kube().then((k) => createDefaultResolver({ kube: k }));
      return defaultResolver;
    },
  };
  return {
    claim: (claimOptions) => claim(ctx, claimOptions),
    release: (ref, releaseOptions) => release(ctx, ref, releaseOptions),
    touch: (ref, o) => touch(ctx, ref, o?.signal),
    get: (ref, o) => getSandbox(ctx, ref, o?.signal),
    list: (listOptions) => listSandboxes(ctx, listOptions),
    wait: (ref, waitOptions) => waitForSandbox(ctx, ref, waitOptions),
    explain: (ref, o) => explainSandbox(ctx, ref, o?.signal),
    async close() {
      const closing: Promise<unknown>[] = [];
      if (defaultResolver) closing.push(defaultResolver.then((r) => r.close()));
      if (kube) closing.push(kube.then((k) => k.close()));
      kube = undefined;
      defaultResolver = undefined;
      await Promise.allSettled(closing);
    },
  };
}
