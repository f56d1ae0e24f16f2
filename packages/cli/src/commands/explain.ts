import type { SandboxExplanation } from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { sandboxClient, sandboxRef } from '../internal/sandbox-client.js';
import { withWhat } from '../output/describe-error.js';
import { describeFields } from '../output/describe-text.js';
import { printStructured } from '../output/print-objects.js';

/** `agentbox explain ID|pod/NAME`: what the sandbox's pending update awaits, per container. */
export async function run(ctx: CliContext, id: string, opts: { output?: 'json' | 'yaml' }): Promise<void> {
  const client = await sandboxClient(ctx);
  const answer = await client
    .explain(sandboxRef(id, ctx.namespace()), { signal: ctx.signal })
    .catch((err) => {
      throw withWhat(`explain ${id}`, err);
    });
  if (opts.output) printStructured(ctx.io, opts.output, explanationJson(answer));
  else ctx.io.out(explanationText(answer));
}

/** The explanation as plain data: a resolver error becomes its code and message (never an object with secrets). */
export function explanationJson(answer: SandboxExplanation): unknown {
  return {
    sandbox: answer.sandbox,
    summary: answer.summary,
    explanation: {
      ...answer.explanation,
      containers: answer.explanation.containers.map(({ error, ...c }) => ({
        ...c,
        ...(error === undefined
          ? {}
          : {
              error: {
                code: (error as { code?: unknown }).code,
                message: error instanceof Error ? error.message : String(error),
              },
            }),
      })),
    },
  };
}

/** The explanation as describe-style text. */
export function explanationText(answer: SandboxExplanation): string {
  const { sandbox, explanation } = answer;
  const going = explanation.targetPodPhase
    ? `${sandbox.phase} → ${explanation.targetPodPhase}`
    : `${sandbox.phase} (no update pending)`;
  let out = describeFields([
    ['Sandbox', sandbox.id || '<none>'],
    ['Pod', `${sandbox.namespace}/${sandbox.pod}`],
    ['Pool', sandbox.pool],
    ['Phase', going],
    ['Update', explanation.completed ? 'complete' : `pending (state ${explanation.phase ?? '<none>'})`],
  ]);
  if (explanation.containers.length === 0) out += 'Containers:  <none>\n';
  else out += 'Containers:\n';
  for (const c of explanation.containers) {
    const err =
      c.error instanceof Error ? c.error.message : c.error === undefined ? undefined : String(c.error);
    out += `  ${c.container}:\n`;
    out += describeFields(
      [
        ['State', c.done ? 'done' : `pending: ${c.reason ?? 'Pending'}`],
        ['Spec Image', c.specImage],
        ['Target Image', c.targetImage],
        ['Running Digest', c.runningDigest],
        ['Target Digest', c.targetDigest],
        [
          'Waiting',
          c.waiting?.reason
            ? `${c.waiting.reason}${c.waiting.message ? `: ${c.waiting.message}` : ''}`
            : undefined,
        ],
        ['Error', err],
        ['Why', c.message],
      ],
      4,
    );
  }
  out += `Summary:  ${answer.summary ?? (explanation.completed ? 'the update is complete' : 'pending')}\n`;
  return out;
}
