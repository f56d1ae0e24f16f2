import {
  type Sandbox,
  type SandboxClient,
  type SandboxRef,
  summarizeExplanation,
  type WaitPhase,
} from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { createProgressReporter } from '../progress/progress-reporter.js';

/** Waits for `phase`, watching, with the progress display on stderr (explanations included). */
export async function waitWithProgress(
  ctx: CliContext,
  client: SandboxClient,
  ref: SandboxRef,
  subject: string,
  phase: WaitPhase,
  timeoutMs: number,
): Promise<Sandbox> {
  const reporter = createProgressReporter(ctx.io, { subject, target: phase });
  try {
    const sandbox = await client.wait(ref, {
      phase,
      timeoutMs,
      signal: ctx.signal,
      explain: true,
      onProgress(p) {
        reporter.update({
          phase: p.phase,
          reason: p.explanation ? summarizeExplanation(p.explanation) : undefined,
        });
      },
    });
    reporter.stop(phase === 'released' ? 'released' : sandbox.phase);
    return sandbox;
  } catch (err) {
    reporter.stop();
    throw err;
  }
}
