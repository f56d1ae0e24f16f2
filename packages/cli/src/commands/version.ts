import type { CliContext } from '../cli-context.js';
import { withWhat } from '../output/describe-error.js';
import { printStructured } from '../output/print-objects.js';
import { version } from '../version.js';

interface VersionOptions {
  client?: boolean;
  output?: 'json' | 'yaml';
}

interface ServerVersion {
  gitVersion?: string;
  platform?: string;
}

/** `agentbox version`: the client's version and (unless `--client`) the API server's. */
export async function run(ctx: CliContext, opts: VersionOptions): Promise<void> {
  const client = { version, node: process.version, platform: `${process.platform}/${process.arch}` };
  let server: ServerVersion | undefined;
  if (!opts.client) {
    const kube = await ctx.kube();
    try {
      server = await kube.request<ServerVersion>({ path: '/version' });
    } catch (err) {
      if (!opts.output) ctx.io.out(`Client Version: v${version}\n`);
      throw withWhat('server version', err, kube.server);
    }
  }
  if (opts.output) {
    printStructured(ctx.io, opts.output, {
      clientVersion: client,
      ...(server ? { serverVersion: { gitVersion: server.gitVersion, platform: server.platform } } : {}),
    });
    return;
  }
  ctx.io.out(`Client Version: v${version}\n`);
  if (server) ctx.io.out(`Server Version: ${server.gitVersion ?? 'unknown'}\n`);
}
