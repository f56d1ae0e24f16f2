// The chaos runner (`make chaos`, `pnpm bench:chaos`): a real etcd + kube-apiserver, a real registry behind the
// fault proxy, the kubelet simulator and two real `agentbox-controller` processes with leader election, driven
// through a seeded workload (claims, releases, touches, scale changes and template changes on three pools) while
// seeded faults hit every part (kube-apiserver and etcd kill+restart, 20+ controller SIGKILLs mid-transition,
// frozen controller connections, registry storms, tags pushed only after their claim, kubelet faults,
// resourceVersion bumps). Invariants are checked from a watch as events arrive and again at the end; every
// violation is printed with the pod's history. Prints a table, writes bench/results/chaos.json (CHAOS_RESULT
// overrides the path) and exits 1 on any violation. CHAOS_SECONDS (default 600), CHAOS_SEED (default 1),
// CHAOS_FAULT_EVERY_MS (default 6000), CHAOS_KEEP_LOGS (keep the work folder after a clean run too).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  type SandboxPool,
  secretsPath,
  TemplateHashLabelKey,
  templateHashOf,
} from '@agentbox/controller';
import {
  type Pod,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
  SandboxStopReasonAnnotationKey,
} from '@agentbox/core';
import {
  agentboxCrdFiles,
  buildK8sBinaries,
  createTestNamespace,
  installCrds,
  pushImage,
  startControlPlane,
  startFaultProxy,
  startKubeletSimulator,
  startRegistry,
  startTcpRelay,
} from '@agentbox/testenv';
import { type ControllerReplica, createControllerReplica } from './controller-replica.js';
import { runFuzz } from './fuzz/run-fuzz.js';
import { InvariantTracker } from './invariant-tracker.js';
import { processRestarter } from './process-restarter.js';
import { seededRandom } from './random.js';

const SECONDS = Number(process.env['CHAOS_SECONDS'] ?? 600);
const SEED = Number(process.env['CHAOS_SEED'] ?? 1);
const FAULT_EVERY_MS = Number(process.env['CHAOS_FAULT_EVERY_MS'] ?? 6_000);
const KEEP_LOGS = Boolean(process.env['CHAOS_KEEP_LOGS']);
const root = fileURLToPath(new URL('../../', import.meta.url));
const resultPath = process.env['CHAOS_RESULT'] ?? join(root, 'bench', 'results', 'chaos.json');
const POOLS = ['alpha', 'beta', 'gamma'];
const STARTUP_TIMEOUT_S = 60;
const IDLE_TIMEOUT_S = 45;
const STOPPING_TIMEOUT_S = 300;
const NODE = 'chaos-node';
const WATCHDOG_S = 90;
const MiB = 1024 * 1024;
// About one template change a minute (0.1 gave 22 in a 600 s run).
const TEMPLATE_WEIGHT = 0.05;
// Controller SIGKILLs: 20+ in a ≥ 5-minute run, spread evenly; about two thirds hit the leader.
const CONTROLLER_KILLS =
  SECONDS >= 300 ? Math.max(20, Math.round(SECONDS / 24)) : Math.max(2, Math.floor(SECONDS / 30));
const LEADER_SHARE = 0.65;

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
  const apiServer = processRestarter(cp.pids.apiServer, join(work, 'control-plane', 'kube-apiserver.log'));
  const etcd = processRestarter(cp.pids.etcd, join(work, 'control-plane', 'etcd.log'));
  // The controllers reach kube-apiserver through a relay that can freeze their connections (a silent watch).
  const stallProxy = await startTcpRelay(cp.server);
  const controllerKubeconfig = join(work, 'controller-kubeconfig');
  writeFileSync(
    controllerKubeconfig,
    readFileSync(cp.kubeconfigPath, 'utf8').replaceAll(cp.server, stallProxy.server),
    { mode: 0o600 },
  );
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
    await installCrds(cp.kubeConfig, agentboxCrdFiles());
    const namespace = await createTestNamespace(cp.kubeConfig, 'chaos');
    // Images: pushed straight to the registry, referenced through the proxy (controller and node both pull there).
    // `digests` is the tracker's ground truth: a tag pushed during the run (a late tag) is added when pushed.
    const digests = new Map<string, string>();
    const idleTags = ['v1', 'v2'];
    for (const tag of idleTags) {
      const idle = await pushImage(registry, { repository: 'chaos/idle', tag });
      digests.set(`chaos/idle:${tag}`, idle.digest);
    }
    const appTags = ['v1', 'v2', 'v3'];
    for (const tag of appTags) {
      const app = await pushImage(registry, { repository: 'chaos/app', tag });
      digests.set(`chaos/app:${tag}`, app.digest);
    }
    const idleImage = `${proxy.host}/chaos/idle:v1`;
    const idleImages = new Set(idleTags.map((t) => `${proxy.host}/chaos/idle:${t}`));
    // A pool's template as the run last set it: the idle image tag and a generation that names a template
    // label and an env var (changing it changes the template hash, so the idle pods are recreated).
    const templateState = new Map<string, { idleTag: string; gen: number }>();
    const templateOf = (gen: number) => ({
      metadata: { labels: { 'chaos.test/template': `g${gen}` } },
      spec: {
        terminationGracePeriodSeconds: 0,
        imagePullSecrets: [{ name: 'chaos-pull' }],
        containers: [{ name: 'main', image: idleImage, env: [{ name: 'CHAOS_TEMPLATE', value: `g${gen}` }] }],
      },
    });
    // The template hash each pool's idle pods must carry once settled (refreshed from the API server).
    const poolHashes = new Map<string, string>();
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
            template: templateOf(0),
          },
        },
      });
      templateState.set(pool, { idleTag: 'v1', gen: 0 });
    }
    const refreshPoolHashes = async (): Promise<void> => {
      const list = await kube.request<{ items: SandboxPool[] }>({
        path: poolsPath(namespace),
        timeoutMs: 5_000,
      });
      for (const p of list.items) poolHashes.set(p.metadata?.name ?? '', templateHashOf(p).value);
    };
    await refreshPoolHashes();
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
    tracker = new InvariantTracker(kube, namespace, digests, idleImages, {
      // The timeout, plus 90 s of other faults, plus two periods of the controller's 90 s watch watchdog: the
      // bound if the probes that find a frozen watch within seconds failed, and the watchdog had to rebuild it.
      starting: (STARTUP_TIMEOUT_S + 90 + WATCHDOG_S * 2) * 1000,
      stopping: (STOPPING_TIMEOUT_S + 60 + WATCHDOG_S * 2) * 1000,
    });
    await tracker.start();
    for (const name of ['controller-a', 'controller-b']) {
      replicas.push(
        await createControllerReplica({
          name,
          kubeconfigPath: controllerKubeconfig,
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
    const leaderKillWorkingMs: number[] = [];
    const apiRecoveryMs: number[] = [];
    const apiWorkingMs: number[] = [];
    const etcdRecoveryMs: number[] = [];
    const lateClaims: { id: string; pod: string; tag: string; pushedAfterMs: number }[] = [];
    let lateTags = 0;
    let templateChanges = 0;
    const templateChangeKinds: Record<string, number> = {};
    let stalledConnections = 0;
    const stallWorkingMs: number[] = [];
    const errors: string[] = [];
    let inFlight = 0;
    let bumps = 0;
    const end = Date.now() + SECONDS * 1000;
    const track = tracker;

    const claimOne = async (
      options: { pool?: string; tag?: string; waitForIdleMs?: number } = {},
    ): Promise<Claim | undefined> => {
      const pool = options.pool ?? (rnd.pick(POOLS) as string);
      const image = `${proxy.host}/chaos/app:${options.tag ?? rnd.pick(appTags)}`;
      inFlight++;
      try {
        const sandbox = await client.claim({
          namespace,
          pool,
          image,
          signal: AbortSignal.timeout(30_000),
          ...(options.waitForIdleMs ? { waitForIdleMs: options.waitForIdleMs } : {}),
        });
        const c = { id: sandbox.id, pod: sandbox.pod, pool, at: Date.now(), releasedByUs: false };
        claims.push(c);
        return c;
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).name ?? 'unknown';
        claimErrors[code] = (claimErrors[code] ?? 0) + 1;
        return undefined;
      } finally {
        inFlight--;
      }
    };
    // The pool with the most idle pods (a probe claim there is the likeliest to find one).
    const idlestPool = (): string => {
      const idle = new Map<string, number>();
      for (const p of track.current.values()) {
        if (p.metadata?.labels?.[SandboxPhaseLabelKey] !== 'idle') continue;
        const pool = p.metadata?.labels?.[SandboxPoolLabelKey] ?? '';
        idle.set(pool, (idle.get(pool) ?? 0) + 1);
      }
      return [...idle].sort((a, b) => b[1] - a[1])[0]?.[0] ?? (rnd.pick(POOLS) as string);
    };
    // From the outside, the controller works again when a transition completes: after a fault that stopped it,
    // a probe claim and a probe release make sure there is one to complete (other faults running at the same
    // time, e.g. a registry storm, can delay it too). Returns ms from `since` (undefined after 120 s).
    const workingAgain = async (since: number, waitMs = 120_000): Promise<number | undefined> => {
      void claimOne({ pool: idlestPool(), waitForIdleMs: 10_000 });
      const open = rnd.pick(openClaims());
      if (open) {
        open.releasedByUs = true;
        void client
          .release({ namespace, sandboxId: open.id }, { signal: AbortSignal.timeout(30_000) })
          .catch(() => undefined);
      }
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        const c = track.firstCompletionAfter(since);
        if (c !== undefined) return c - since;
        await sleep(50);
      }
      return undefined;
    };
    // A template change: the idle image tag (an in-place switch of idle pods), or the template's label and env
    // (idle pods recreated), or both. Idle pods roll within maxUnavailable; running ones are left alone.
    const changeTemplate = async (forced?: 'idleImage' | 'template'): Promise<void> => {
      const pool = rnd.pick(POOLS) as string;
      const state = templateState.get(pool) as { idleTag: string; gen: number };
      const kind = forced ?? rnd.weighted({ idleImage: 1, template: 1, both: 0.5 });
      const next = {
        idleTag: kind === 'template' ? state.idleTag : (idleTags.find((t) => t !== state.idleTag) as string),
        gen: kind === 'idleImage' ? state.gen : state.gen + 1,
      };
      const spec: Record<string, unknown> = {};
      if (next.idleTag !== state.idleTag) spec['idleImage'] = `${proxy.host}/chaos/idle:${next.idleTag}`;
      if (next.gen !== state.gen) spec['template'] = templateOf(next.gen);
      const stored = await kube
        .request<SandboxPool>({
          method: 'PATCH',
          path: poolsPath(namespace, pool),
          body: { spec },
          timeoutMs: 10_000,
        })
        .catch(() => undefined);
      if (!stored) return;
      templateState.set(pool, next);
      poolHashes.set(pool, templateHashOf(stored).value);
      templateChanges++;
      templateChangeKinds[kind] = (templateChangeKinds[kind] ?? 0) + 1;
      log(`template change (${kind}) of ${pool}: idle ${next.idleTag}, g${next.gen}`);
    };
    const openClaims = () =>
      claims.filter((c) => !c.releasedByUs && !track.pods.get(c.pod)?.released.has(c.id));

    // Besides the random ones, one change of each kind at a fixed point, so even the short profile has both.
    const forcedTemplateChanges = [
      { at: end - SECONDS * 1000 * 0.75, kind: 'idleImage' as const },
      { at: end - SECONDS * 1000 * 0.4, kind: 'template' as const },
    ];
    const workload = (async () => {
      while (Date.now() < end) {
        const forced = forcedTemplateChanges[0];
        if (forced && Date.now() >= forced.at) {
          forcedTemplateChanges.shift();
          await changeTemplate(forced.kind);
        }
        const op = rnd.weighted({ claim: 5, release: 4, touch: 2, scale: 0.4, template: TEMPLATE_WEIGHT });
        if (op === 'claim' && inFlight < 6) void claimOne();
        else if (op === 'template') await changeTemplate();
        else if (op === 'release') {
          const minAge = rnd.int(0, 20_000);
          const c = rnd.pick(openClaims().filter((x) => Date.now() - x.at >= minAge));
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
    let outageActive = false;
    const stormTimers = new Set<ReturnType<typeof setTimeout>>();
    const endStorm = (): void => {
      const timer = setTimeout(() => {
        stormTimers.delete(timer);
        if (!outageActive) proxy.clearFaults();
      }, 10_000);
      stormTimers.add(timer);
    };
    let etcdDone = false;

    const faultLoop = (async () => {
      await sleep(FAULT_EVERY_MS / 2);
      // kube-apiserver restarts and the etcd restart happen at fixed points at the latest (the random draw may
      // take them earlier), so every run has all of them.
      const start = end - SECONDS * 1000;
      const apiServerDue = (SECONDS >= 300 ? [0.3, 0.55, 0.8] : [0.5]).map((f) => start + SECONDS * 1000 * f);
      const etcdDue = start + SECONDS * 1000 * 0.45;
      // So is one watch stall: the probes that find a frozen watch must work in every run, the short one too.
      const stallDue = start + SECONDS * 1000 * 0.7;
      while (Date.now() < end - 5_000) {
        const apiServerBehind =
          (faults['apiServerRestart'] ?? 0) < apiServerDue.filter((t) => Date.now() >= t).length;
        const etcdBehind = !etcdDone && Date.now() >= etcdDue;
        const stallBehind = !faults['watchStall'] && Date.now() >= stallDue;
        const weighted = rnd.weighted({
          pullFailure: 1.2,
          apiServerRestart:
            (faults['apiServerRestart'] ?? 0) < maxApiRestarts && Date.now() > end - SECONDS * 800 ? 1 : 0,
          registry5xx: 1.5,
          registry429: 1.5,
          registryDrop: 1,
          registryLatency: 1,
          registryOutage: outageDone ? 0 : 0.5,
          etcdRestart: etcdDone ? 0 : 0.5,
          watchStall: 1,
          oomKill: 1.5,
          evict: 1,
          conflictStorm: 2,
          kubeletRestart: 0.7,
        });
        const kind = apiServerBehind
          ? 'apiServerRestart'
          : etcdBehind
            ? 'etcdRestart'
            : stallBehind
              ? 'watchStall'
              : weighted;
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
        case 'pullFailure': {
          // A tag that does not exist yet when claimed: the pod goes through ErrImagePull / ImagePullBackOff
          // (the controller's resolver fails too) until the tag is pushed 2–8 s later, well inside the startup
          // timeout. The claim must end running, or released with the reason in an Event.
          const tag = `late-${++lateTags}`;
          const pushAfterMs = rnd.int(2_000, 8_000);
          const claimed = claimOne({ pool: idlestPool(), tag, waitForIdleMs: 10_000 });
          await sleep(pushAfterMs);
          const pushed = await pushImage(registry, { repository: 'chaos/app', tag });
          digests.set(`chaos/app:${tag}`, pushed.digest);
          const c = await claimed;
          if (c) lateClaims.push({ id: c.id, pod: c.pod, tag, pushedAfterMs: Date.now() - c.at });
          return;
        }
        case 'apiServerRestart':
          return exclusively(async () => {
            apiRecoveryMs.push(await apiServer.restart(kube, rnd.int(1_000, 4_000)));
            const ms = await workingAgain(Date.now());
            if (ms === undefined)
              errors.push('no transition completed within 120 s of a kube-apiserver restart');
            else apiWorkingMs.push(ms);
          });
        case 'etcdRestart':
          etcdDone = true;
          etcdRecoveryMs.push(await etcd.restart(kube, rnd.int(1_000, 3_000)));
          return;
        case 'watchStall':
          return exclusively(async () => {
            const at = Date.now();
            stalledConnections += stallProxy.freezeAll();
            const ms = await workingAgain(at);
            if (ms === undefined) errors.push('no transition completed within 120 s of a watch stall');
            else stallWorkingMs.push(ms);
          });
        // Storms are counted in requests but end after 10 s whatever is left: the registry sees few requests
        // (the resolver caches digests), so an unconsumed storm would otherwise turn into a minutes-long outage.
        case 'registry5xx':
          proxy.respond5xx(rnd.int(5, 30), rnd.pick([500, 502, 503]) as number);
          endStorm();
          return;
        case 'registry429':
          proxy.respond429(rnd.int(5, 20), 1);
          endStorm();
          return;
        case 'registryDrop':
          proxy.dropConnection(rnd.int(3, 10));
          endStorm();
          return;
        case 'registryLatency':
          proxy.latency(rnd.int(300, 1_500));
          await sleep(8_000);
          proxy.latency(0);
          return;
        case 'registryOutage': {
          outageDone = true;
          outageActive = true;
          const ms = Math.min(30_000, SECONDS * 50);
          proxy.respond5xx(1_000_000, 503);
          await sleep(ms);
          proxy.clearFaults();
          outageActive = false;
          return;
        }
        case 'oomKill': {
          const p = rnd.pick(podsIn(['running', 'starting', 'idle']));
          if (p && node) await node.oomKill(namespace, p.metadata?.name ?? '', 'main').catch(() => undefined);
          return;
        }
        case 'evict': {
          const p = rnd.pick(podsIn(['running', 'starting', 'idle', 'stopping']));
          if (p && node) {
            track.evicted.add(p.metadata?.name ?? '');
            await node.evict(namespace, p.metadata?.name ?? '', 'chaos eviction').catch(() => undefined);
          }
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

    // Controller SIGKILLs on their own schedule (evenly spread, so ≥ 20 fit a 10-minute run whatever the other
    // faults do), always mid-transition: claims and a release first, the kill while they are being completed.
    const killRnd = seededRandom(SEED + 1_000);
    // The faults whose recovery is timed (controller kills, kube-apiserver restarts, watch stalls) take turns:
    // overlapping, one's figure would hold the other's recovery (a kill right after a restart adds the Lease's
    // 15 s to the restart's figure). The other faults go on meanwhile.
    let timedTurn: Promise<void> = Promise.resolve();
    const exclusively = async <T>(fn: () => Promise<T>): Promise<T> => {
      const previous = timedTurn;
      let done!: () => void;
      timedTurn = new Promise<void>((resolve) => {
        done = resolve;
      });
      await previous;
      try {
        return await fn();
      } finally {
        done();
      }
    };

    const killLoop = (async () => {
      const gap = (SECONDS * 1000 - 25_000) / CONTROLLER_KILLS;
      let lastDone = 0;
      for (let i = 0; i < CONTROLLER_KILLS; i++) {
        // Behind schedule (a slow recovery), the next kill still waits 5 s after the controller worked again,
        // so kills never run back to back with no working leader between them.
        const at = Math.max(
          end - SECONDS * 1000 + 5_000 + i * gap + killRnd.int(0, Math.round(gap / 4)),
          lastDone + 5_000,
        );
        if (at > end - 20_000) break;
        await sleep(Math.max(0, at - Date.now()));
        try {
          const wantLeader = killRnd.next() < LEADER_SHARE;
          await exclusively(() => killController(wantLeader));
        } catch (err) {
          errors.push(`controller kill: ${(err as Error).message}`);
        }
        lastDone = Date.now();
      }
    })();
    async function killController(wantLeader: boolean): Promise<void> {
      for (let i = 0; i < 2; i++) void claimOne();
      const open = rnd.pick(openClaims());
      if (open) {
        open.releasedByUs = true;
        void client
          .release({ namespace, sandboxId: open.id }, { signal: AbortSignal.timeout(30_000) })
          .catch(() => undefined);
      }
      await sleep(killRnd.int(50, 400));
      let l = await leader();
      // Between leaders (an API server restart can cost the Lease): wait for the next one rather than skip.
      for (let i = 0; wantLeader && !l && i < 100; i++) {
        await sleep(200);
        l = await leader();
      }
      // The wanted one is not there (no leader yet, or the other replica still restarting): kill whichever lives.
      const target =
        (wantLeader ? l : replicas.find((r) => r !== l && r.alive())) ?? replicas.find((r) => r.alive());
      if (!target) {
        faults['controllerKillSkipped'] = (faults['controllerKillSkipped'] ?? 0) + 1;
        return;
      }
      const isLeader = target === l;
      const kind = isLeader ? 'leaderKill' : 'nonLeaderKill';
      faults[kind] = (faults[kind] ?? 0) + 1;
      log(`fault ${kind} (${target.name}) at +${Math.round((Date.now() - (end - SECONDS * 1000)) / 1000)} s`);
      const t = performance.now();
      const killedAt = Date.now();
      await target.kill();
      restarts.push(
        (async () => {
          await sleep(killRnd.int(1_000, 5_000));
          await target
            .start()
            .catch((err) => errors.push(`restart ${target.name}: ${(err as Error).message}`));
        })(),
      );
      if (!isLeader) return;
      for (;;) {
        const now = await leader();
        if (now && now !== target) break;
        if (now === target && performance.now() - t > 1_000) break; // the restarted one took it back
        if (performance.now() - t > 90_000) throw new Error('no leader 90 s after a leader kill');
        await sleep(200);
      }
      leaderRecoveryMs.push(performance.now() - t);
      // Completions the dead leader's last writes caused arrive within a few ms; later ones are the new leader's.
      const ms = await workingAgain(killedAt + 300, 60_000);
      if (ms === undefined) errors.push('no transition completed within 60 s of a new leader');
      else leaderKillWorkingMs.push(ms + 300);
    }

    // Credentials must not reach the controllers' /metrics either: scraped every 20 s and at the end.
    const secrets = [credentials.password, cp.token, auth].filter((x): x is string => Boolean(x));
    let metricsScrapes = 0;
    const scrapeMetrics = async (): Promise<void> => {
      for (const r of replicas) {
        const text = await r.metricsText();
        if (!text) continue;
        metricsScrapes++;
        if (secrets.some((x) => text.includes(x)))
          track.violate('credential-in-metrics', r.name, `${r.name}'s /metrics contains a credential`);
      }
    };
    const metricsTimer = setInterval(() => void scrapeMetrics(), 20_000);
    const stuckTimer = setInterval(() => track.checkStuck(), 1_000);
    const rssSamples: { t: number; rss: Record<string, number> }[] = [];
    const rssTimer = setInterval(() => {
      rssSamples.push({
        t: Date.now(),
        rss: Object.fromEntries(replicas.map((r) => [r.name, r.rssBytes()])),
      });
    }, 30_000);
    await Promise.all([workload, faultLoop, killLoop]);
    await Promise.all(restarts);
    for (const t of stormTimers) clearTimeout(t);
    proxy.clearFaults();
    proxy.latency(0);
    log('faults over; waiting for the pools to settle');
    for (const r of replicas) if (!r.alive()) await r.start();
    const settleStart = Date.now();
    // Settled includes the stale idle roll: every idle pod carries its pool's current template hash.
    const hashTimer = setInterval(() => void refreshPoolHashes().catch(() => undefined), 2_000);
    const quiet = await waitFor(
      () =>
        settled(track, desired) &&
        staleIdle(track, poolHashes).length === 0 &&
        [...track.current.values()].every(
          (p) =>
            p.metadata?.labels?.[SandboxPhaseLabelKey] !== 'idle' ||
            Boolean(p.metadata?.deletionTimestamp) ||
            track.digestProblem(p) === undefined,
        ),
      420_000,
    );
    clearInterval(hashTimer);
    await refreshPoolHashes().catch(() => undefined);
    const settleMs = Date.now() - settleStart;
    clearInterval(stuckTimer);
    clearInterval(rssTimer);
    clearInterval(metricsTimer);
    track.checkStuck();
    await scrapeMetrics();
    const rssEnd = Object.fromEntries(replicas.map((r) => [r.name, r.rssBytes()]));

    // --- final checks ---
    if (!quiet) {
      const busy = podsIn(['starting', 'stopping']).map((p) => p.metadata?.name ?? '');
      track.violate(
        'not-settled',
        busy[0] ?? '-',
        `after 420 s: ${busy.length} pods starting/stopping; counts ${countsText(track, desired)}`,
      );
    }
    // Idle pods after the roll: the current template hash, the pool's idle image, running its digest.
    for (const pod of staleIdle(track, poolHashes)) {
      track.violate(
        'idle-not-rolled',
        pod.metadata?.name ?? '',
        `idle with template hash ${pod.metadata?.labels?.[TemplateHashLabelKey]}, pool ${pod.metadata?.labels?.[SandboxPoolLabelKey]} wants ${poolHashes.get(pod.metadata?.labels?.[SandboxPoolLabelKey] ?? '')}`,
      );
    }
    for (const pod of track.current.values()) {
      const pool = pod.metadata?.labels?.[SandboxPoolLabelKey] ?? '';
      const state = templateState.get(pool);
      if (
        pod.metadata?.labels?.[SandboxPhaseLabelKey] !== 'idle' ||
        !state ||
        pod.metadata?.deletionTimestamp
      )
        continue;
      const want = `${proxy.host}/chaos/idle:${state.idleTag}`;
      const image = pod.spec?.containers?.[0]?.image;
      const problem =
        image === want
          ? track.digestProblem(pod)
          : `container 0 has image ${image}, the pool's idle image is ${want}`;
      if (problem) track.violate('idle-wrong-image', pod.metadata?.name ?? '', problem);
    }
    const events = await kube
      .request<{
        items: {
          involvedObject?: { name?: string };
          reason?: string;
          type?: string;
          message?: string;
          metadata?: { annotations?: Record<string, string> };
        }[];
      }>({
        path: eventsPath(namespace),
      })
      .then((l) => l.items)
      .catch(() => []);
    // No credential in any Event of the namespace (reason, message, annotations, every other field).
    for (const e of events) {
      const text = JSON.stringify(e);
      if (secrets.some((x) => text.includes(x)))
        track.violate(
          'credential-in-event',
          e.involvedObject?.name ?? '-',
          `Event ${e.reason} on ${e.involvedObject?.name} contains a credential`,
        );
    }
    const eventsByPod = new Map<string, string[]>();
    for (const e of events) {
      const n = e.involvedObject?.name ?? '';
      eventsByPod.set(n, [...(eventsByPod.get(n) ?? []), `${e.type}/${e.reason}`]);
    }
    let endedRunning = 0;
    let endedReleased = 0;
    let releasedByController = 0;
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
        releasedByController++;
        continue;
      }
      if (reason === 'pod deleted' || (reason && podEvents.length > 0)) {
        endedReleased++;
        releasedByController++;
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
    for (const r of replicas) {
      const text = readFileSync(r.logFile, 'utf8');
      if (secrets.some((s) => s && text.includes(s)))
        track.violate('credential-in-log', r.name, `${r.logFile} contains a credential`);
    }
    const kubeletErrors = node?.errors().length ?? 0;
    // What the simulated node failed at, by message (API server restarts show here as failed status writes).
    const kubeletErrorKinds = countBy(
      (node?.errors() ?? []).map((e) => (e instanceof Error ? e.message : String(e)).slice(0, 120)),
    );

    // Fuzzing, after the faults: hostile pods in a namespace of their own on the same control plane, reconciled
    // by a controller process of their own (see fuzz/run-fuzz.ts). Only in runs of 5 minutes or more; the
    // short profile's own fuzz is fuzz.test.ts.
    const fuzz =
      SECONDS >= 300
        ? await runFuzz({
            controlPlane: cp,
            cases: Number(process.env['CHAOS_FUZZ_CASES'] ?? 10_000),
            seed: SEED,
            workDir: work,
            log: (m) => log(`fuzz: ${m}`),
          })
        : undefined;
    for (const v of fuzz?.violations ?? []) track.violate('fuzz', '-', v);

    const violations = track.violations;
    for (const v of violations) {
      log(`VIOLATION ${v.kind} ${v.pod}: ${v.detail} (${v.at})`);
      if (v.historyThen) process.stderr.write(`${v.historyThen}\n`);
    }
    const faultTotal = Object.entries(faults)
      .filter(([k]) => k !== 'controllerKillSkipped')
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
      claimsReleasedByController: releasedByController,
      transitionsToRunning: track.transitions.toRunning,
      transitionsToIdle: track.transitions.toIdle,
      violations: violations.length,
      violationsByKind: countBy(violations.map((v) => v.kind)),
      controllerKills: (faults['leaderKill'] ?? 0) + (faults['nonLeaderKill'] ?? 0),
      // SIGKILL of the leader → the other replica (or the restarted one) reports agentbox_leader 1.
      leaderKillRecoveryMs: stats(leaderRecoveryMs),
      // SIGKILL of the leader → the next transition completed (a probe claim makes sure there is one).
      leaderKillWorkingAgainMs: stats(leaderKillWorkingMs),
      // kube-apiserver started again → it serves requests.
      apiServerRestartRecoveryMs: stats(apiRecoveryMs),
      // kube-apiserver serves again → the controller completes a transition.
      apiServerRestartWorkingAgainMs: stats(apiWorkingMs),
      templateChanges,
      templateChangeKinds,
      lateTagClaims: lateClaims.length,
      lateTagPodsSawPullError: lateClaims.filter((c) => track.pullFailedPods.has(c.pod)).length,
      lateTagClaimsRan: lateClaims.filter((c) => track.runningIds.has(c.id)).length,
      lateTagPushedAfterMs: stats(lateClaims.map((c) => c.pushedAfterMs)),
      credentialScans: { logs: replicas.length, events: events.length, metricsScrapes },
      // The fuzzer of generated pods and annotations (runs of 5 minutes or more).
      fuzzCases: fuzz?.cases ?? 0,
      fuzz: fuzz && { ...fuzz, violations: fuzz.violations.length },
      etcdRestartRecoveryMs: stats(etcdRecoveryMs),
      stalledConnections,
      // Every connection to kube-apiserver frozen → the controller completes a transition (its watches' probes
      // find the frozen watches; requests on frozen kept-alive connections wait out their timeout).
      watchStallWorkingAgainMs: stats(stallWorkingMs),
      longestStuckMs: Math.round(track.longestStuckMs),
      longestStuckPod: track.longestStuckPod,
      settleAfterFaultsMs: settleMs,
      rssStartMiB: mib(rssStart),
      rssEndMiB: mib(rssEnd),
      trackerWatchRestarts: track.watchRestarts,
      trackerRelists: track.relists,
      kubeletSimulatorErrors: kubeletErrors,
      kubeletSimulatorErrorKinds: kubeletErrorKinds,
      injectorErrors: errors,
    };
    mkdirSync(dirname(resultPath), { recursive: true });
    writeFileSync(
      resultPath,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          figures,
          violations: violations.map((v) => ({ ...v, history: track.history(v.pod) })),
          longestStuckHistory: track.history(track.longestStuckPod),
          rssSamples,
        },
        null,
        2,
      )}\n`,
    );
    printTable(figures);
    log(`wrote ${resultPath}`);
    if (violations.length === 0 && !KEEP_LOGS) rmSync(work, { recursive: true, force: true });
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
    etcd.stop();
    await stallProxy.close().catch(() => undefined);
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

/** Idle pods whose template hash is not their pool's current one (the stale idle roll has not reached them). */
function staleIdle(track: InvariantTracker, hashes: ReadonlyMap<string, string>): Pod[] {
  return [...track.current.values()].filter((p) => {
    const labels = p.metadata?.labels ?? {};
    const want = hashes.get(labels[SandboxPoolLabelKey] ?? '');
    return (
      !p.metadata?.deletionTimestamp &&
      labels[SandboxPhaseLabelKey] === 'idle' &&
      want !== undefined &&
      labels[TemplateHashLabelKey] !== want
    );
  });
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
