import type { ClaimOptions } from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { parsePairs } from '../internal/parse-flags.js';
import { sandboxClient, sandboxSubject } from '../internal/sandbox-client.js';
import { waitWithProgress } from '../internal/wait-with-progress.js';
import { withWhat } from '../output/describe-error.js';
import { parseDuration } from '../output/duration.js';
import { formatTable } from '../output/format-table.js';
import { printStructured } from '../output/print-objects.js';
import { sandboxHeaders, sandboxRow } from '../output/sandbox-table.js';

interface ClaimCommandOptions {
  image?: string;
  container?: string[];
  id?: string;
  metadata?: string[];
  label?: string[];
  idleTimeout?: string;
  startupTimeout?: string;
  wait?: boolean;
  timeout: string;
  waitForIdle: string;
  output?: 'json' | 'yaml' | 'wide' | 'name';
}

/** `agentbox claim POOL`: claims an idle pod; with `--wait`, until the workload runs, showing progress. */
export async function run(ctx: CliContext, pool: string, opts: ClaimCommandOptions): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  const waitForIdleMs = parseDuration(opts.waitForIdle, '--wait-for-idle');
  const claim: ClaimOptions = {
    namespace: ctx.namespace(),
    pool,
    signal: ctx.signal,
    waitForIdleMs,
  };
  if (opts.image) claim.image = opts.image;
  const containers = parsePairs(opts.container, '--container');
  if (Object.keys(containers).length > 0) claim.containerImages = containers;
  if (opts.id) claim.sandboxId = opts.id;
  const metadata = parsePairs(opts.metadata, '--metadata');
  if (Object.keys(metadata).length > 0) claim.metadata = metadata;
  const labels = parsePairs(opts.label, '--label');
  if (Object.keys(labels).length > 0) claim.labels = labels;
  if (opts.idleTimeout)
    claim.idleTimeoutSeconds = Math.ceil(parseDuration(opts.idleTimeout, '--idle-timeout') / 1000);
  if (opts.startupTimeout) {
    claim.startupTimeoutSeconds = Math.ceil(parseDuration(opts.startupTimeout, '--startup-timeout') / 1000);
  }
  const client = await sandboxClient(ctx);
  const what = `claim ${pool}`;
  let sandbox = await client.claim(claim).catch((err) => {
    throw withWhat(what, err);
  });
  if (opts.wait) {
    const subject = sandboxSubject(sandbox.id, sandbox.pod);
    sandbox = await waitWithProgress(
      ctx,
      client,
      { namespace: sandbox.namespace, sandboxId: sandbox.id },
      subject,
      'running',
      timeoutMs,
    ).catch((err) => {
      throw withWhat(what, err);
    });
  }
  if (opts.output === 'json' || opts.output === 'yaml') printStructured(ctx.io, opts.output, sandbox);
  else if (opts.output === 'name') ctx.io.out(`sandbox/${sandbox.id}\n`);
  else if (opts.output === 'wide') {
    ctx.io.out(
      formatTable(sandboxHeaders(true, false), [sandboxRow(sandbox, undefined, Date.now(), true, false)]),
    );
  } else ctx.io.out(`${sandbox.id}\n`);
}
