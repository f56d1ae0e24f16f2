// `make demo`: the whole job of agentbox on a local control plane, typed as a user would type it.
// Environment: DEMO_KEEP=1 keeps everything running (and prints `export KUBECONFIG=…`) until Ctrl-C;
// DEMO_REPLICAS (default 5, at least 4) sizes the pool.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DemoEnvironment, startDemoEnvironment } from './demo-environment.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cliBin = join(repoRoot, 'packages', 'cli', 'dist', 'agentbox.js');
const keep = process.env['DEMO_KEEP'] === '1';
// Three parallel claims and one that fails need four pods.
const replicas = Number(process.env['DEMO_REPLICAS'] ?? '5');
if (!Number.isInteger(replicas) || replicas < 4) {
  console.error(
    'demo: DEMO_REPLICAS must be a whole number ≥ 4 (three parallel claims and one failing claim)',
  );
  process.exit(2);
}
const bold = process.stdout.isTTY ? (s: string) => `\x1b[1m${s}\x1b[0m` : (s: string) => s;
const dim = process.stdout.isTTY ? (s: string) => `\x1b[2m${s}\x1b[0m` : (s: string) => s;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

let env: DemoEnvironment | undefined;
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    if (env) {
      console.log(dim('demo: stopping the controller, the node, the registry and the control plane'));
      await env.stop();
    }
  })();
  return stopping;
}

process.on('SIGINT', () => {
  console.log('\ndemo: interrupted');
  void stopAll().then(() => process.exit(130));
});
process.on('SIGTERM', () => {
  void stopAll().then(() => process.exit(143));
});

/** Prints `$ agentbox ARGS`, runs the built CLI, prints its output as it comes. */
function agentbox(args: string[], opts: { quiet?: boolean; show?: string } = {}): Promise<RunResult> {
  if (!opts.quiet) console.log(`\n${bold(`$ agentbox ${opts.show ?? args.map(quote).join(' ')}`)}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { ...process.env, KUBECONFIG: env?.kubeconfigPath ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (!opts.quiet) process.stdout.write(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!opts.quiet) process.stdout.write(c);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - started }),
    );
  });
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

function expectCode(r: RunResult, code: number, what: string): void {
  if (r.code !== code) throw new Error(`${what}: exit ${r.code}, expected ${code}\n${r.stderr}`);
}

/** The kube-apiserver's count of writes (POST, PUT, PATCH, DELETE) so far, from its own metrics. */
async function apiWrites(): Promise<number> {
  const cp = env?.controlPlane;
  if (!cp) return 0;
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: cp.caData } });
  try {
    const res = await request(`${cp.server}/metrics`, {
      headers: { authorization: `Bearer ${cp.token}` },
      dispatcher,
    });
    const text = await res.body.text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith('apiserver_request_total{')) continue;
      if (!/verb="(POST|PUT|PATCH|DELETE)"/.test(line)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  } finally {
    await dispatcher.close();
  }
}

/** Waits (quietly, watching through the CLI's -w) until the pool reports `idle` idle pods. */
async function waitForIdle(pool: string, idle: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await agentbox(['get', 'pools', pool, '-o', 'json'], { quiet: true });
    const status =
      r.code === 0 ? (JSON.parse(r.stdout) as { status?: { idleReplicas?: number } }).status : undefined;
    if ((status?.idleReplicas ?? 0) >= idle) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`pool ${pool}: fewer than ${idle} idle pods after ${timeoutMs / 1000} s`);
}

/** The `PHASE after 1.2s` figure of the CLI's last progress line for that phase. */
function progressMs(stderr: string, phase: string): number {
  const matches = [...stderr.matchAll(new RegExp(`: ${phase} after (\\S+?)(?::|$)`, 'gm'))];
  const text = matches.at(-1)?.[1];
  if (!text) return Number.NaN;
  let total = 0;
  for (const m of text.matchAll(/([\d.]+)(ms|s|m|h)/g)) {
    total += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'] ?? 0);
  }
  return total;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}

async function main(): Promise<void> {
  if (!existsSync(cliBin))
    throw new Error(`${cliBin} is missing: run \`pnpm run build\` first (make demo does)`);
  const started = performance.now();
  console.log(bold('agentbox demo: warm sandbox pools on a local Kubernetes control plane (loopback only)'));
  env = await startDemoEnvironment({ cliBin, log: (l) => console.log(dim(`demo: ${l}`)) });
  const { images } = env;
  const writesBefore = await apiWrites();

  expectCode(
    await agentbox([
      'create',
      'pool',
      'demo',
      '--image',
      images.app,
      '--idle-image',
      images.idle,
      '--replicas',
      String(replicas),
    ]),
    0,
    'create pool',
  );
  const warm = performance.now();
  await waitForIdle('demo', replicas, 60_000);
  console.log(dim(`demo: ${replicas} idle pods warm after ${ms(performance.now() - warm)}`));
  expectCode(await agentbox(['get', 'pools']), 0, 'get pools');

  // Three claims at once, each waiting until its workload runs.
  const claimArgs = [
    ['claim', 'demo', '--image', images.app, '--wait'],
    ['claim', 'demo', '--image', images.app2, '--wait'],
    ['claim', 'demo', '--image', images.app, '--metadata', 'user=alice', '--wait'],
  ];
  console.log(`\n${bold(claimArgs.map((a) => `$ agentbox ${a.join(' ')} &`).join('\n'))}`);
  const claims = await Promise.all(claimArgs.map((a) => agentbox(a, { quiet: true })));
  for (const c of claims) {
    process.stdout.write(c.stderr + c.stdout);
    expectCode(c, 0, 'claim --wait');
  }
  const ids = claims.map((c) => c.stdout.trim());
  expectCode(await agentbox(['get', 'sandboxes', '-o', 'wide']), 0, 'get sandboxes');

  // An image that does not exist: the wait gives up after 6 s and says why, explain shows the details, and
  // the release ends it before its 20 s startup timeout would have failed it.
  const bad = await agentbox([
    'claim',
    'demo',
    '--image',
    images.missing,
    '--startup-timeout',
    '20s',
    '--wait',
    '--timeout',
    '6s',
  ]);
  expectCode(bad, 1, 'claim of a missing image');
  const badId = /sandbox (\S+) \(pod/.exec(bad.stderr)?.[1];
  if (badId) {
    expectCode(await agentbox(['explain', badId]), 0, 'explain');
    expectCode(await agentbox(['release', badId]), 0, 'release of the failed claim');
  }

  const release = await agentbox(['release', ids[0] as string, '--wait']);
  expectCode(release, 0, 'release --wait');
  expectCode(await agentbox(['scale', 'pool', 'demo', '--replicas', '3']), 0, 'scale');
  expectCode(await agentbox(['get', 'pools']), 0, 'get pools');
  for (const id of ids.slice(1)) await agentbox(['release', id], { quiet: true });

  const writes = (await apiWrites()) - writesBefore;
  const claimMs = claims.map((c) => c.ms);
  const watchedMs = claims.map((c) => progressMs(c.stderr, 'running'));
  console.log(`\n${bold('summary')}`);
  const rows = [
    [
      'claim → running, as the CLI watched it (3 in parallel)',
      `p50 ${ms(percentile(watchedMs, 50))}`,
      `max ${ms(Math.max(...watchedMs))}`,
    ],
    [
      'claim --wait, the whole command (node start-up included)',
      `p50 ${ms(percentile(claimMs, 50))}`,
      `max ${ms(Math.max(...claimMs))}`,
    ],
    ['release → idle, as the CLI watched it', ms(progressMs(release.stderr, 'idle')), ''],
    ['release --wait, the whole command', ms(release.ms), ''],
    ['API writes during the demo (all clients)', String(writes), ''],
    ['demo wall time', ms(performance.now() - started), ''],
  ];
  const w0 = Math.max(...rows.map((r) => (r[0] as string).length));
  const w1 = Math.max(...rows.map((r) => (r[1] as string).length));
  for (const r of rows)
    console.log(`  ${(r[0] as string).padEnd(w0 + 3)}${(r[1] as string).padEnd(w1 + 3)}${r[2]}`.trimEnd());
  console.log(dim(`demo: pids ${env.pids().join(' ')}`));

  if (keep) {
    console.log(`\n${bold('DEMO_KEEP=1: the environment stays up until Ctrl-C. In another shell:')}`);
    console.log(`  export KUBECONFIG=${env.kubeconfigPath}`);
    console.log('  node packages/cli/dist/agentbox.js get pools    # or: kubectl get sbp');
    await new Promise(() => undefined);
  }
}

main().then(
  async () => {
    await stopAll();
    process.exit(0);
  },
  async (err) => {
    console.error(`demo: failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    process.exit(1);
  },
);
