// bench/cli: how long `agentbox` takes to start, side by side with kubectl in the same run.
// Three pairs, 20 timed runs each after 3 warm-ups, the two sides alternating (which goes first alternates too):
//   agentbox --help            vs kubectl --help              target: agentbox ≤ 150 ms
//   agentbox version --client  vs kubectl version --client    target: agentbox ≤ 150 ms
//   agentbox get pools         vs kubectl get sbp             target: agentbox ≤ 1.5 × kubectl
// Both list the same 10 SandboxPools of one namespace of a local kube-apiserver (testenv), with the same
// kubeconfig file; kubectl's discovery cache is warm after its warm-ups, as on a user's machine.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  agentboxCrdFiles,
  buildK8sBinaries,
  installCrds,
  kubeconfigYaml,
  startControlPlane,
} from '@agentbox/testenv';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const runs = 20;
const warmups = 3;

interface Pair {
  name: string;
  agentbox: string[];
  kubectl: string[];
  target: { kind: 'absolute'; ms: number } | { kind: 'ratio'; max: number };
}

interface Timing {
  wallMs: number;
  /** User + system CPU of the command (GNU time's rusage), the figure machine load disturbs least. */
  cpuMs: number;
}

const cpuFile = join(tmpdir(), `agentbox-bench-cli-cpu-${process.pid}`);

function timeOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, cmd, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${stderr}`));
        return;
      }
      const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
      resolve({ wallMs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 });
    });
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function p90(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(0.9 * s.length) - 1] as number;
}

async function main(): Promise<void> {
  // The bench measures the bundle `pnpm run build` makes; build it here so a stale one is never timed.
  const { bundle } = (await import(join(repoRoot, 'packages/cli/build.mjs'))) as {
    bundle(outdir: string): Promise<void>;
  };
  const cliDist = join(repoRoot, 'packages/cli/dist');
  mkdirSync(cliDist, { recursive: true });
  for (const f of ['agentbox.js', 'agentbox.js.map', 'chunks'])
    rmSync(join(cliDist, f), { recursive: true, force: true });
  await bundle(cliDist);
  const bin = join(cliDist, 'agentbox.js');
  const { kubectl } = await buildK8sBinaries();

  const cp = await startControlPlane();
  const work = mkdtempSync(join(tmpdir(), 'agentbox-bench-cli-'));
  try {
    await installCrds(cp.kubeConfig, agentboxCrdFiles());
    const namespace = 'bench';
    await cp.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const objects = cp.kubeConfig.makeApiClient(CustomObjectsApi);
    for (let i = 0; i < 10; i++) {
      await objects.createNamespacedCustomObject({
        group: 'agents.navix.sh',
        version: 'v1alpha1',
        namespace,
        plural: 'sandboxpools',
        body: {
          apiVersion: 'agents.navix.sh/v1alpha1',
          kind: 'SandboxPool',
          metadata: { name: `pool-${i}` },
          spec: {
            replicas: 3,
            idleImage: '127.0.0.1:5000/idle:v1',
            template: { spec: { containers: [{ name: 'main', image: '127.0.0.1:5000/app:v1' }] } },
          },
        },
      });
    }
    const config = JSON.parse(kubeconfigYaml(cp)) as { contexts: { context: { namespace: string } }[] };
    for (const c of config.contexts) c.context.namespace = namespace;
    const kubeconfigPath = join(work, 'kubeconfig');
    // YAML, as kubectl and every cluster tool write kubeconfigs (so agentbox pays for its YAML parser).
    writeFileSync(kubeconfigPath, stringify(config), { mode: 0o600 });
    // Both read the same file; kubectl keeps its discovery cache beside it, as it does in ~/.kube/cache.
    const env = { ...process.env, KUBECONFIG: kubeconfigPath, HOME: work, NO_COLOR: '1' };

    const pairs: Pair[] = [
      { name: '--help', agentbox: ['--help'], kubectl: ['--help'], target: { kind: 'absolute', ms: 150 } },
      {
        name: 'version --client',
        agentbox: ['version', '--client'],
        kubectl: ['version', '--client'],
        target: { kind: 'absolute', ms: 150 },
      },
      {
        name: 'get pools / get sbp',
        agentbox: ['get', 'pools'],
        kubectl: ['get', 'sbp'],
        target: { kind: 'ratio', max: 1.5 },
      },
    ];
    const node = process.execPath;
    const results = [];
    for (const pair of pairs) {
      const a: Timing[] = [];
      const k: Timing[] = [];
      for (let i = 0; i < warmups; i++) {
        await timeOnce(node, [bin, ...pair.agentbox], env);
        await timeOnce(kubectl, pair.kubectl, env);
      }
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          a.push(await timeOnce(node, [bin, ...pair.agentbox], env));
          k.push(await timeOnce(kubectl, pair.kubectl, env));
        } else {
          k.push(await timeOnce(kubectl, pair.kubectl, env));
          a.push(await timeOnce(node, [bin, ...pair.agentbox], env));
        }
      }
      const agentboxMs = median(a.map((t) => t.wallMs));
      const kubectlMs = median(k.map((t) => t.wallMs));
      const ratio = agentboxMs / kubectlMs;
      const pass = pair.target.kind === 'absolute' ? agentboxMs <= pair.target.ms : ratio <= pair.target.max;
      results.push({
        name: pair.name,
        agentbox: summary(`agentbox ${pair.agentbox.join(' ')}`, a),
        kubectl: summary(`kubectl ${pair.kubectl.join(' ')}`, k),
        ratio: round(ratio, 2),
        target: pair.target.kind === 'absolute' ? `≤ ${pair.target.ms} ms` : `≤ ${pair.target.max} × kubectl`,
        pass,
      });
    }
    // A bare `node -e 0` beside them: the floor any Node CLI starts from on this machine.
    const bare: Timing[] = [];
    for (let i = 0; i < runs; i++) bare.push(await timeOnce(node, ['-e', '0'], env));

    const header = [
      'figure',
      'agentbox median',
      'kubectl median',
      'ratio',
      'target',
      'result',
      'CPU agentbox / kubectl',
    ];
    const rows = results.map((r) => [
      r.name,
      `${r.agentbox.medianMs} ms`,
      `${r.kubectl.medianMs} ms`,
      `${r.ratio}`,
      r.target,
      r.pass ? 'pass' : 'MISS',
      `${r.agentbox.cpuMedianMs} / ${r.kubectl.cpuMedianMs} ms`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('   ')
        .trimEnd();
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    const bareSummary = summary('node -e 0', bare);
    console.log(
      `node -e 0 (the floor of any Node CLI here): median ${bareSummary.medianMs} ms, CPU ${bareSummary.cpuMedianMs} ms`,
    );
    console.log(
      `${runs} runs per side after ${warmups} warm-ups, alternating; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${cpus().length} cores`,
    );

    mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
    writeFileSync(
      join(repoRoot, 'bench/results/cli.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          cores: cpus().length,
          loadAverage: loadavg().map((l) => round(l, 2)),
          runs,
          warmups,
          nodeBare: bareSummary,
          results,
        },
        null,
        2,
      )}\n`,
    );
    if (results.some((r) => !r.pass)) process.exitCode = 1;
  } finally {
    rmSync(cpuFile, { force: true });
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function summary(command: string, timings: Timing[]) {
  const wall = timings.map((t) => t.wallMs);
  return {
    command,
    medianMs: round(median(wall)),
    p90Ms: round(p90(wall)),
    cpuMedianMs: round(median(timings.map((t) => t.cpuMs))),
    runsMs: wall.map((v) => round(v)),
  };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

await main();
