import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSandboxClient } from '@agentbox/controller';
import { AgentboxError, type Pod } from '@agentbox/core';
// The CLI's own rendering, in-process: the package exports only its bin and runCli, so these come from source.
import { explanationJson, explanationText } from '../../../packages/cli/src/commands/explain.js';
import { describeSandboxText } from '../../../packages/cli/src/output/describe-sandbox-text.js';
import type { KubeEvent } from '../../../packages/cli/src/output/describe-text.js';
import { runCli } from '../../../packages/cli/src/run-cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cliBin = `${root}packages/cli/dist/agentbox.js`;

/** What feeding pods to the CLI found. */
export interface CliRenderOutcome {
  /** Pods explained and rendered (describe text, explain text and JSON) without an error. */
  rendered: number;
  /** Typed errors (AgentboxError) by code: allowed, e.g. SandboxNotFound for a pod that is gone. */
  typedErrors: Record<string, number>;
  violations: string[];
}

/**
 * Feeds every pod to what `agentbox describe sandbox pod/NAME` and `agentbox explain pod/NAME` do, in-process
 * and through the same code: SandboxClient.explain (a fresh read and core's explainUpdate with the CLI's
 * default resolver), then describeSandboxText (with the pod's Events), explanationText and explanationJson.
 * Anything thrown that is not an AgentboxError is a violation, and so is a render that throws at all.
 */
export async function renderPodsInProcess(options: {
  kubeConfig: Parameters<typeof createSandboxClient>[0]['kubeConfig'];
  namespace: string;
  pods: readonly Pod[];
  events: ReadonlyMap<string, KubeEvent[]>;
  concurrency: number;
}): Promise<CliRenderOutcome> {
  const client = createSandboxClient({
    kubeConfig: options.kubeConfig,
    kube: { userAgent: 'agentbox-fuzz-cli' },
  });
  const out: CliRenderOutcome = { rendered: 0, typedErrors: {}, violations: [] };
  const now = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < options.pods.length) {
      const pod = options.pods[next++] as Pod;
      const name = pod.metadata?.name ?? '';
      let answer: Awaited<ReturnType<typeof client.explain>>;
      try {
        answer = await client.explain(
          { namespace: options.namespace, pod: name },
          { signal: AbortSignal.timeout(60_000) },
        );
      } catch (err) {
        if (err instanceof AgentboxError) out.typedErrors[err.code] = (out.typedErrors[err.code] ?? 0) + 1;
        else out.violations.push(`cli explain pod/${name}: untyped ${describe(err)}`);
        continue;
      }
      try {
        describeSandboxText({
          sandbox: answer.sandbox,
          explanation: answer.explanation,
          summary: answer.summary,
          pod,
          events: options.events.get(name) ?? [],
          now,
        });
        explanationText(answer);
        JSON.stringify(explanationJson(answer));
        out.rendered++;
      } catch (err) {
        out.violations.push(`cli render pod/${name}: ${describe(err)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    await client.close();
  }
  return out;
}

/** One CLI invocation: its arguments, exit code and output. */
export interface CliRun {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `agentbox` with `args` in-process (runCli) or as a child process of the built bin, and returns the
 * violations of the CLI's error contract: exit 0, or exit 1 with exactly one line `error: …` on stderr; never
 * a stack trace, never another exit code.
 */
export async function runAgentbox(
  args: string[],
  how: 'in-process' | 'bin',
): Promise<{ run: CliRun; violations: string[] }> {
  let run: CliRun;
  if (how === 'in-process') {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
      isTTY: false,
      errIsTTY: false,
      color: false,
    });
    run = { args, code, stdout, stderr };
  } else {
    if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: run \`pnpm run build\` first`);
    run = await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, [cliBin, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ args, code, stdout, stderr });
      });
    });
  }
  return { run, violations: cliContractViolations(run, how) };
}

function cliContractViolations(run: CliRun, how: string): string[] {
  const what = `agentbox ${run.args.join(' ')} (${how})`;
  const violations: string[] = [];
  const stack = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
  if (stack.test(run.stdout) || stack.test(run.stderr))
    violations.push(`${what}: a stack trace in its output`);
  if (run.code === 1) {
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    if (lines.length !== 1 || !lines[0]?.startsWith('error: '))
      violations.push(
        `${what}: exit 1 without one \`error: …\` line: ${JSON.stringify(run.stderr.slice(0, 300))}`,
      );
  } else if (run.code !== 0) {
    violations.push(`${what}: exit code ${run.code}: ${JSON.stringify(run.stderr.slice(0, 300))}`);
  }
  return violations;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.slice(0, 300)}` : String(err);
}
