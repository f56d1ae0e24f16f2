// The chaos runner (`make chaos`, `pnpm bench:chaos`): a real etcd + kube-apiserver, a real registry behind the
// fault proxy, the kubelet simulator and two real `agentbox-controller` processes with leader election, driven
// through a seeded workload (claims, releases, touches, scale changes on three pools) while seeded faults hit
// every part. Invariants are checked from a watch as events arrive and again at the end; every violation is
// printed with the pod's history. Prints a table, writes bench/results/chaos.json (CHAOS_RESULT overrides the
// path) and exits 1 on any violation. CHAOS_SECONDS (default 600), CHAOS_SEED (default 1),
// CHAOS_FAULT_EVERY_MS (default 6000).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createKubeClient,
  createSandboxClient,
  eventsPath,
  type KubeClient,
  podsPath,
  poolsPath,
  secretsPath,
} from '@agentbox/controller';
import {
  type Pod,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
  SandboxStopReasonAnnotationKey,
} from '@agentbox/core';
import {
  buildK8sBinaries,
  createTestNamespace,
  installCrds,
  pushImage,
  startControlPlane,
  startFaultProxy,
  startKubeletSimulator,
  startRegistry,
} from '@agentbox/testenv';
import { apiServerRestarter } from './api-server-restart.js';
import { type ControllerReplica, createControllerReplica } from './controller-replica.js';
import { InvariantTracker } from './invariant-tracker.js';
import { seededRandom } from './random.js';

const SECONDS = Number(process.env['CHAOS_SECONDS'] ?? 600);
const SEED = Number(process.env['CHAOS_SEED'] ?? 1);
const FAULT_EVERY_MS = Number(process.env['CHAOS_FAULT_EVERY_MS'] ?? 6_000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const resultPath = process.env['CHAOS_RESULT'] ?? join(root, 'bench', 'results', 'chaos.json');
const POOLS = ['alpha', 'beta', 'gamma'];
const STARTUP_TIMEOUT_S = 60;
const IDLE_TIMEOUT_S = 45;
const STOPPING_TIMEOUT_S = 300;
const NODE = 'chaos-node';
const MiB = 1024 * 1024;

const log = (message: string): void => void process.stderr.write(`chaos: ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Claim {
  id: string;
  pod: string;
  pool: string;
  at: number;
  releasedByUs: boolean;
}

async function main(): Promise<number> {
  const rnd = seededRandom(SEED);
  const work = mkdtempSync(join(tmpdir(), 'agentbox-chaos-'));
  const binaries = await buildK8sBinaries();
  log(`seed ${SEED}, ${SECONDS} s, a fault every ~${FAULT_EVERY_MS} ms; logs in ${work}`);
  const cp = await startControlPlane({ binDir: binaries.dir, logDir: join(work, 'control-plane') });
  const registry = await startRegistry({ auth: 'basic' });
  const proxy = await startFaultProxy(registry.url);
  const kube = await createKubeClient(cp.kubeConfig, { userAgent: 'agentbox-chaos' });
  const apiServer = apiServerRestarter(cp.pids.apiServer, join(work, 'control-plane', 'kube-apiserver.log'));
  const replicas: ControllerReplica[] = [];
  let node: Awaited<ReturnType<typeof startKubeletSimulator>> | undefined;
  let tracker: InvariantTracker | undefined;
  const client = createSandboxClient({
    kubeConfig: cp.kubeConfig,
    kube: { userAgent: 'agentbox-sandbox-client' },
  });
  const credentials = registry.credentials;
  if (!credentials) throw new Error('the basic registry has no credentials');
  try {
    const crdDir = join(root, 'deploy', 'crds');
    await installCrds(
      cp.kubeConfig,
      readdirSync(crdDir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(crdDir, f)),
    );
    const namespace = await createTestNamespace(cp.kubeConfig, 'chaos');
    // Images: pushed straight to the registry, referenced through the proxy (controller and node both pull there).
    const digests = new Map<string, string>();
    const idle = await pushImage(registry, { repository: 'chaos/idle', tag: 'v1' });
    digests.set('chaos/idle:v1', idle.digest);
    const appTags = ['v1', 'v2', 'v3'];
    for (const tag of appTags) {
      const app = await pushImage(registry, { repository: 'chaos/app', tag });
      digests.set(`chaos/app:${tag}`, app.digest);
    }
    const idleImage = `${proxy.host}/chaos/idle:v1`;
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    await kube.request({
      method: 'POST',
      path: secretsPath(namespace),
      body: {
        metadata: { name: 'chaos-pull' },
        type: 'kubernetes.io/dockerconfigjson',
        data: {
          '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [proxy.host]: { auth } } })).toString(
            'base64',
          ),
        },
      },
    });
    const desired = new Map<string, number>();
    for (const pool of POOLS) {
      const n = rnd.int(4, 7);
      desired.set(pool, n);
      await kube.request({
        method: 'POST',
        path: poolsPath(namespace),
        body: {
          apiVersion: 'agents.navix.sh/v1alpha1',
          kind: 'SandboxPool',
          metadata: { name: pool, namespace },
          spec: {
            replicas: n,
            idleImage,
            defaultStartupTimeout: `${STARTUP_TIMEOUT_S}s`,
            defaultIdleTimeout: `${IDLE_TIMEOUT_S}s`,
            template: {
              spec: {
                terminationGracePeriodSeconds: 0,
                imagePullSecrets: [{ name: 'chaos-pull' }],
                containers: [{ name: 'main', image: idleImage }],
              },
            },
          },
        },
      });
    }
    const nodeOptions = {
      namespace,
      nodeName: NODE,
      pullDelayMs: 50,
      splitStatusWrites: true,
      statusLagMs: 20,
      registryCredentials: {
        [proxy.host]: { username: credentials.username, password: credentials.password },
      },
    };
    node = await startKubeletSimulator(cp.kubeConfig, nodeOptions);
    tracker = new InvariantTracker(kube, namespace, digests, new Set([idleImage]), {
      starting: (STARTUP_TIMEOUT_S + 90) * 1000,
      stopping: (STOPPING_TIMEOUT_S + 60) * 1000,
    });
    await tracker.start();
    for (const name of ['controller-a', 'controller-b']) {
      replicas.push(
        await createControllerReplica({
          name,
          kubeconfigPath: cp.kubeconfigPath,
          namespace,
          logFile: join(work, `${name}.log`),
        }),
      );
    }
    for (const r of replicas) await r.start();
    const rssStart = Object.fromEntries(replicas.map((r) => [r.name, r.rssBytes()]));
    log('waiting for the pools to fill');
    await waitFor(() => settled(tracker as InvariantTracker, desired), 120_000);
    rssStart['afterFill'] = 0;
    for (const r of replicas) rssStart[`${r.name}`] = r.rssBytes();
    delete rssStart['afterFill'];

    // --- the run ---
    const claims: Claim[] = [];
    const faults: Record<string, number> = {};
    const claimErrors: Record<string, number> = {};
    const leaderRecoveryMs: number[] = [];
    const apiRecoveryMs: number[] = [];
    const errors: string[] = [];
    let inFlight = 0;
    let bumps = 0;
    const end = Date.now() + SECONDS * 1000;
    const track = tracker;

    const claimOne = async (): Promise<void> => {
      const pool = rnd.pick(POOLS) as string;
      const image = `${proxy.host}/chaos/app:${rnd.pick(appTags)}`;
      inFlight++;
      try {
        const sandbox = await client.claim({ namespace, pool, image, signal: AbortSignal.timeout(30_000) });
        const c = { id: sandbox.id, pod: sandbox.pod, pool, at: Date.now(), releasedByUs: false };
        claims.push(c);
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).name ?? 'unknown';
        claimErrors[code] = (claimErrors[code] ?? 0) + 1;
      } finally {
        inFlight--;
      }
    };
    const openClaims = () =>
      claims.filter((c) => !c.releasedByUs && !track.pods.get(c.pod)?.released.has(c.id));

    const workload = (async () => {
      while (Date.now() < end) {
        const op = rnd.weighted({ claim: 5, release: 4, touch: 2, scale: 0.4 });
        if (op === 'claim' && inFlight < 6) void claimOne();
        else if (op === 'release') {
          const c = rnd.pick(openClaims());
          if (c) {
            c.releasedByUs = true;
            await client
              .release({ namespace, sandboxId: c.id }, { signal: AbortSignal.timeout(30_000) })
              .catch(() => undefined);
          }
        } else if (op === 'touch') {
          const c = rnd.pick(openClaims());
          if (c)
            await client
              .touch({ namespace, sandboxId: c.id }, { signal: AbortSignal.timeout(30_000) })
              .catch(() => undefined);
        } else if (op === 'scale') {
          const pool = rnd.pick(POOLS) as string;
          const n = rnd.int(4, 8);
          const ok = await kube
            .request({
              method: 'PATCH',
              path: poolsPath(namespace, pool),
              body: { spec: { replicas: n } },
              timeoutMs: 10_000,
            })
            .then(() => true)
            .catch(() => false);
          if (ok) desired.set(pool, n);
        }
        await sleep(rnd.int(100, 500));
      }
    })();

    const leader = async (): Promise<ControllerReplica | undefined> => {
      for (const r of replicas) if (await r.isLeader()) return r;
      return undefined;
    };
    const podsIn = (phases: string[]) =>
      [...track.current.values()].filter((p) =>
        phases.includes(p.metadata?.labels?.[SandboxPhaseLabelKey] ?? ''),
      );
    const restarts: Promise<void>[] = [];
    const maxApiRestarts = SECONDS >= 300 ? 3 : 1;
    let outageDone = false;

    const faultLoop = (async () => {
      await sleep(FAULT_EVERY_MS / 2);
      while (Date.now() < end - 5_000) {
        const kind = rnd.weighted({
          leaderKill: 3,
          apiServerRestart:
            (faults['apiServerRestart'] ?? 0) < maxApiRestarts && Date.now() > end - SECONDS * 800 ? 1 : 0,
          registry5xx: 1.5,
          registry429: 1.5,
          registryDrop: 1,
          registryLatency: 1,
          registryOutage: outageDone ? 0 : 0.5,
          oomKill: 1.5,
          evict: 1,
          conflictStorm: 2,
          kubeletRestart: 0.7,
        });
        faults[kind] = (faults[kind] ?? 0) + 1;
        log(`fault ${kind} at +${Math.round((Date.now() - (end - SECONDS * 1000)) / 1000)} s`);
        try {
          await injectFault(kind);
        } catch (err) {
          errors.push(`${kind}: ${(err as Error).message}`);
        }
        await sleep(rnd.int(FAULT_EVERY_MS / 2, (FAULT_EVERY_MS * 3) / 2));
      }
    })();

    async function injectFault(kind: string): Promise<void> {
      switch (kind) {
        case 'leaderKill': {
          // Mid-transition: claims first, the kill while they are being completed.
          void claimOne();
          void claimOne();
          await sleep(150);
          const l = await leader();
          if (!l) {
            faults['leaderKillNoLeader'] = (faults['leaderKillNoLeader'] ?? 0) + 1;
            return;
          }
          const t = performance.now();
          await l.kill();
          restarts.push(
            (async () => {
              await sleep(rnd.int(1_000, 5_000));
              await l.start().catch((err) => errors.push(`restart ${l.name}: ${(err as Error).message}`));
            })(),
          );
          for (;;) {
            const now = await leader();
            if (now && now !== l) break;
            if (now === l && performance.now() - t > 1_000) break; // the restarted one took it back
            if (performance.now() - t > 90_000) throw new Error('no leader 90 s after a leader kill');
            await sleep(200);
          }
          leaderRecoveryMs.push(performance.now() - t);
          return;
        }
        case 'apiServerRestart':
          apiRecoveryMs.push(await apiServer.restart(kube, rnd.int(1_000, 4_000)));
          return;
        case 'registry5xx':
          proxy.respond5xx(rnd.int(5, 30), rnd.pick([500, 502, 503]) as number);
          return;
        case 'registry429':
          proxy.respond429(rnd.int(5, 20), 1);
          return;
        case 'registryDrop':
          proxy.dropConnection(rnd.int(3, 10));
          return;
        case 'registryLatency':
          proxy.latency(rnd.int(300, 1_500));
          await sleep(8_000);
          proxy.latency(0);
          return;
        case 'registryOutage': {
          outageDone = true;
          const ms = Math.min(30_000, SECONDS * 50);
          proxy.respond5xx(1_000_000, 503);
          await sleep(ms);
          proxy.clearFaults();
          return;
        }
        case 'oomKill': {
          const p = rnd.pick(podsIn(['running', 'starting', 'idle']));
          if (p && node) await node.oomKill(namespace, p.metadata?.name ?? '', 'main').catch(() => undefined);
          return;
        }
        case 'evict': {
          const p = rnd.pick(podsIn(['running', 'starting', 'idle', 'stopping']));
          if (p && node)
            await node.evict(namespace, p.metadata?.name ?? '', 'chaos eviction').catch(() => undefined);
          return;
        }
        case 'conflictStorm': {
          // A competing writer: no-op label PUTs that only bump resourceVersion, so the controller's writes 409.
          const stopAt = Date.now() + 3_000;
          while (Date.now() < stopAt) {
            const p = rnd.pick(podsIn(['starting', 'stopping', 'running', 'idle']));
            if (p) {
              await bump(kube, namespace, p.metadata?.name ?? '')
                .then(() => bumps++)
                .catch(() => undefined);
            }
            await sleep(50);
          }
          return;
        }
        case 'kubeletRestart': {
          await node?.stop();
          await sleep(rnd.int(500, 3_000));
          node = await startKubeletSimulator(cp.kubeConfig, nodeOptions);
          return;
        }
      }
    }

    const stuckTimer = setInterval(() => track.checkStuck(), 1_000);
    const rssSamples: { t: number; rss: Record<string, number> }[] = [];
    const rssTimer = setInterval(() => {
      rssSamples.push({
        t: Date.now(),
        rss: Object.fromEntries(replicas.map((r) => [r.name, r.rssBytes()])),
      });
    }, 30_000);
    await Promise.all([workload, faultLoop]);
    await Promise.all(restarts);
    proxy.clearFaults();
    proxy.latency(0);
    log('faults over; waiting for the pools to settle');
    for (const r of replicas) if (!r.alive()) await r.start();
    const settleStart = Date.now();
    const quiet = await waitFor(() => settled(track, desired), 240_000);
    const settleMs = Date.now() - settleStart;
    clearInterval(stuckTimer);
    clearInterval(rssTimer);
    track.checkStuck();
    const rssEnd = Object.fromEntries(replicas.map((r) => [r.name, r.rssBytes()]));

    // --- final checks ---
    if (!quiet) {
      const busy = podsIn(['starting', 'stopping']).map((p) => p.metadata?.name ?? '');
      track.violate(
        'not-settled',
        busy[0] ?? '-',
        `after 240 s: ${busy.length} pods starting/stopping; counts ${countsText(track, desired)}`,
      );
    }
    const events = await kube
      .request<{ items: { involvedObject?: { name?: string }; reason?: string; type?: string }[] }>({
        path: eventsPath(namespace),
      })
      .then((l) => l.items)
      .catch(() => []);
    const eventsByPod = new Map<string, string[]>();
    for (const e of events) {
      const n = e.involvedObject?.name ?? '';
      eventsByPod.set(n, [...(eventsByPod.get(n) ?? []), `${e.type}/${e.reason}`]);
    }
    let endedRunning = 0;
    let endedReleased = 0;
    for (const c of claims) {
      if (c.releasedByUs) {
        endedReleased++;
        continue;
      }
      const pod = track.current.get(c.pod);
      const labels = pod?.metadata?.labels ?? {};
      if (
        labels[SandboxIDLabelKey] === c.id &&
        !pod?.metadata?.annotations?.[SandboxStopReasonAnnotationKey]
      ) {
        if (labels[SandboxPhaseLabelKey] === 'running') endedRunning++;
        else
          track.violate(
            'claim-not-running',
            c.pod,
            `claim ${c.id} ends ${labels[SandboxPhaseLabelKey]}, not running`,
          );
        continue;
      }
      const reason =
        track.pods.get(c.pod)?.released.get(c.id) ??
        pod?.metadata?.annotations?.[SandboxStopReasonAnnotationKey];
      const podEvents = eventsByPod.get(c.pod) ?? [];
      if (reason && (reason !== 'id removed' || podEvents.some((e) => e.startsWith('Warning/')))) {
        endedReleased++;
        continue;
      }
      if (reason === 'pod deleted' || (reason && podEvents.length > 0)) {
        endedReleased++;
        continue;
      }
      track.violate(
        'claim-vanished',
        c.pod,
        `claim ${c.id} is gone (${reason ?? 'never seen released'}) with no stop reason and Events [${podEvents.join(', ')}]`,
      );
    }
    // No two claims held a pod at once: a pod's next claim came after the previous one left it.
    const byPod = new Map<string, Claim[]>();
    for (const c of claims) byPod.set(c.pod, [...(byPod.get(c.pod) ?? []), c]);
    for (const [pod, list] of byPod) {
      for (let i = 1; i < list.length; i++) {
        const before = list[i - 1] as Claim;
        if (!track.pods.get(pod)?.released.has(before.id)) {
          track.violate(
            'pod-claimed-twice',
            pod,
            `claim ${(list[i] as Claim).id} got the pod while claim ${before.id} had not left it`,
          );
        }
      }
    }
    const counts = poolCounts(track);
    for (const [pool, want] of desired) {
      if ((counts.get(pool) ?? 0) !== want)
        track.violate('replicas', pool, `pool ${pool} has ${counts.get(pool) ?? 0} pods, wants ${want}`);
    }
    for (const r of replicas)
      for (const e of r.unexpectedExits()) track.violate('controller-exit', r.name, e);
    const secrets = [credentials.password, cp.token, auth];
    for (const r of replicas) {
      const text = readFileSync(r.logFile, 'utf8');
      if (secrets.some((s) => s && text.includes(s)))
        track.violate('credential-in-log', r.name, `${r.logFile} contains a credential`);
    }
    const kubeletErrors = node?.errors().length ?? 0;

    const violations = track.violations;
    for (const v of violations) {
      log(`VIOLATION ${v.kind} ${v.pod}: ${v.detail} (${v.at})`);
      if (track.pods.has(v.pod)) process.stderr.write(`${track.history(v.pod)}\n`);
    }
    const faultTotal = Object.entries(faults)
      .filter(([k]) => k !== 'leaderKillNoLeader')
      .reduce((s, [, n]) => s + n, 0);
    const figures = {
      seconds: SECONDS,
      seed: SEED,
      faultsTotal: faultTotal,
      faults,
      conflictBumps: bumps,
      claims: claims.length,
      claimErrors,
      claimsEndedRunning: endedRunning,
      claimsEndedReleased: endedReleased,
      transitionsToRunning: track.transitions.toRunning,
      transitionsToIdle: track.transitions.toIdle,
      violations: violations.length,
      violationsByKind: countBy(violations.map((v) => v.kind)),
      leaderKillRecoveryMs: stats(leaderRecoveryMs),
      apiServerRestartRecoveryMs: stats(apiRecoveryMs),
      longestStuckMs: Math.round(track.longestStuckMs),
      settleAfterFaultsMs: settleMs,
      rssStartMiB: mib(rssStart),
      rssEndMiB: mib(rssEnd),
      trackerWatchRestarts: track.watchRestarts,
      trackerRelists: track.relists,
      kubeletSimulatorErrors: kubeletErrors,
      injectorErrors: errors,
    };
    mkdirSync(dirname(resultPath), { recursive: true });
    writeFileSync(
      resultPath,
      `${JSON.stringify({ date: new Date().toISOString(), figures, violations: violations.map((v) => ({ ...v, history: track.history(v.pod) })), rssSamples }, null, 2)}\n`,
    );
    printTable(figures);
    log(`wrote ${resultPath}`);
    if (violations.length === 0) rmSync(work, { recursive: true, force: true });
    else log(`logs kept in ${work}`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await tracker?.stop().catch(() => undefined);
    for (const r of replicas) await r.stop().catch(() => undefined);
    await node?.stop().catch(() => undefined);
    await client.close().catch(() => undefined);
    await kube.close().catch(() => undefined);
    await proxy.stop().catch(() => undefined);
    await registry.stop().catch(() => undefined);
    apiServer.stop();
    await cp.stop().catch(() => undefined);
  }
}

async function bump(kube: KubeClient, namespace: string, name: string): Promise<void> {
  const pod = await kube.request<Pod>({ path: podsPath(namespace, name), timeoutMs: 5_000 });
  const labels = { ...(pod.metadata?.labels ?? {}), 'chaos.test/bump': String(Date.now() % 1_000_000) };
  await kube.request({
    method: 'PUT',
    path: podsPath(namespace, name),
    body: { ...pod, metadata: { ...pod.metadata, labels } },
    timeoutMs: 5_000,
  });
}

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

function poolCounts(track: InvariantTracker): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of track.current.values()) {
    if (p.metadata?.deletionTimestamp) continue;
    const pool = p.metadata?.labels?.[SandboxPoolLabelKey] ?? '';
    counts.set(pool, (counts.get(pool) ?? 0) + 1);
  }
  return counts;
}

function countsText(track: InvariantTracker, desired: Map<string, number>): string {
  const counts = poolCounts(track);
  return [...desired].map(([p, n]) => `${p} ${counts.get(p) ?? 0}/${n}`).join(', ');
}

function settled(track: InvariantTracker, desired: Map<string, number>): boolean {
  const counts = poolCounts(track);
  for (const [pool, n] of desired) if ((counts.get(pool) ?? 0) !== n) return false;
  for (const p of track.current.values()) {
    const phase = p.metadata?.labels?.[SandboxPhaseLabelKey] ?? '';
    if (phase === 'starting' || phase === 'stopping' || phase === '') return false;
  }
  return true;
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return true;
    await sleep(250);
  }
  return probe();
}

function stats(values: number[]): { n: number; p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: Math.round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0),
    max: Math.round(sorted.at(-1) ?? 0),
  };
}

function mib(rss: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, Math.round((v / MiB) * 10) / 10]));
}

function printTable(figures: Record<string, unknown>): void {
  const rows = Object.entries(figures).map(([k, v]) => [
    k,
    typeof v === 'object' ? JSON.stringify(v) : String(v),
  ]);
  const width = Math.max(...rows.map(([k]) => (k ?? '').length));
  process.stdout.write(
    `\nchaos run\n${rows.map(([k, v]) => `  ${(k ?? '').padEnd(width)}  ${v}`).join('\n')}\n`,
  );
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
