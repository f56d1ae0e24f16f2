import {
  createSandboxClient,
  kubeConfigLike,
  needsClientNode,
  type SandboxClient,
  type SandboxRef,
} from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { parseDuration } from '../output/duration.js';
import { version } from '../version.js';

/** The sandbox client of the command's context (closed when the command ends). */
export async function sandboxClient(ctx: CliContext): Promise<SandboxClient> {
  const config = ctx.kubeConfig();
  const kubeConfig = needsClientNode(config) ? await ctx.clientNodeKubeConfig() : kubeConfigLike(config);
  const timeout = ctx.globals.requestTimeout
    ? parseDuration(ctx.globals.requestTimeout, '--request-timeout')
    : 0;
  const client = createSandboxClient({
    kubeConfig,
    kube: { userAgent: `agentbox/${version}`, ...(timeout > 0 ? { requestTimeoutMs: timeout } : {}) },
  });
  ctx.onClose(() => client.close());
  return client;
}

/** `ID` or `pod/NAME` as a SandboxRef of the namespace. */
export function sandboxRef(arg: string, namespace: string): SandboxRef {
  if (arg.startsWith('pod/')) return { namespace, pod: arg.slice(4) };
  if (arg.startsWith('sandbox/')) return { namespace, sandboxId: arg.slice(8) };
  return { namespace, sandboxId: arg };
}

/** `sandbox ID (pod NAME)` for progress lines and messages. */
export function sandboxSubject(id: string, pod: string): string {
  return `sandbox ${id || '<none>'} (pod ${pod})`;
}
