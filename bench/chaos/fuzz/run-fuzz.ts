import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createKubeClient,
  eventsPath,
  KubeApiError,
  type KubeClient,
  podsPath,
  poolsPath,
  type SandboxPool,
  secretsPath,
  templateHashOf,
} from '@agentbox/controller';
import { getInplaceUpdateState, InvalidStateError, type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import {
  agentboxCrdFiles,
  type ControllerBin,
  type ControlPlaneAccess,
  createTestNamespace,
  freePort,
  installCrds,
  kubeConfigFor,
  spawnControllerBin,
} from '@agentbox/testenv';
import { seededRandom } from '../random.js';
import { generateHostilePod } from './generate-hostile-pod.js';
import type { PoolMembership } from './hostile-labels.js';
import { renderPodsInProcess, runAgentbox } from './render-with-cli.js';

const POOL = 'fuzz';
// The fuzz's own writes carry this user agent, so its managedFields entries are told from the controller's.
const FUZZ_MANAGER = 'agentbox-fuzz';

/** Options of runFuzz. */
export interface FuzzOptions {
  /** The control plane to fuzz (testenv's startControlPlane, or the vitest global setup's). */
  controlPlane: ControlPlaneAccess;
  /** How many pods to generate. */
  cases: number;
  seed: number;
  /** Where the controller's log goes. */
  workDir: string;
  /** Concurrent pod writes, and CLI explains. Default: 16. */
  concurrency?: number;
  /** Longest wait for the controller to settle after it started. Default: 60 s + 15 ms per case. */
  settleTimeoutMs?: number;
  /** Pods run through the built CLI bin as child processes (describe and explain each). Default: 20. */
  cliBinSamples?: number;
  /** Progress lines. Default: none. */
  log?: (message: string) => void;
}

/** What a fuzz run found; `violations` is empty when every check held. */
export interface FuzzResult {
  cases: number;
  /** Pods kube-apiserver stored. */
  created: number;
  /** Pods it refused (a figure, not a failure), and why, by HTTP status and reason. */
  rejectedByApiServer: number;
  rejectReasons: Record<string, number>;
  /** Status writes it refused (the pod stays, without that status). */
  rejectedStatuses: number;
  /** Stored pods whose state annotation core's codec refuses (InvalidStateError). */
  unparseable: number;
  /** Of those, the ones in the fuzz pool (the controller reconciles them). */
  unparseableInPool: number;
  /** Unparseable pool pods with an `InvalidState` Event. */
  invalidStateEvents: number;
  /** Unparseable pool pods the controller wrote or deleted: must be 0. */
  podsWrittenByControllerWhileUnparseable: number;
  /**
   * Pods whose pool label names no pool. The controller deletes such pods when it reconciles that key (the
   * pool-gone path, whatever their state annotation, by design); it enqueues only existing pools at its start,
   * so pods already there when it starts are left until an event about them arrives.
   */
  ghostPoolPods: number;
  ghostPoolPodsDeleted: number;
  /** Pods the controller wrote at all (create, PUT, PATCH, delete), for scale. */
  podsWrittenByController: number;
  /** Pods explained and rendered in-process by the CLI's describe and explain code. */
  cliRendered: number;
  cliTypedErrors: Record<string, number>;
  /** `agentbox` runs as a child process of the built bin, and in-process through runCli. */
  cliBinRuns: number;
  cliInProcessRuns: number;
  /** The controller's warning lines by message (no violation by themselves). */
  controllerWarnings: Record<string, number>;
  settleMs: number;
  /** Wall time of each phase: creating the pods, the controller (start and settle), the checks, the CLI. */
  phaseMs: Record<'create' | 'controller' | 'checks' | 'cliInProcess' | 'cliRuns', number>;
  violations: string[];
  ms: number;
}

interface Case {
  name: string;
  membership: PoolMembership;
  /** The pod as kube-apiserver stored it after the fuzz's last write to it. */
  stored: Pod;
}

/**
 * Generates `cases` hostile pods (seeded), creates them in a fresh namespace of the control plane with a
 * SandboxPool whose pool label most of them carry, then starts a real `agentbox-controller` scoped to that
 * namespace and lets it reconcile. Then it checks that the controller never exited and logged no error or stack
 * trace, that no pod whose state annotation core's codec refuses was written by it, that each of those pods
 * has an `InvalidState` Event, and that the CLI's describe and explain (in-process for every pod, the built bin
 * for a sample) throw nothing but typed errors and end with exit 0 or one `error: …` line.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 16;
  const rnd = seededRandom(options.seed);
  const kubeConfig = kubeConfigFor(options.controlPlane);
  const kube = await createKubeClient(kubeConfig, { userAgent: FUZZ_MANAGER, connections: concurrency });
  const violations: string[] = [];
  const result: FuzzResult = {
    cases: options.cases,
    created: 0,
    rejectedByApiServer: 0,
    rejectReasons: {},
    rejectedStatuses: 0,
    unparseable: 0,
    unparseableInPool: 0,
    invalidStateEvents: 0,
    podsWrittenByControllerWhileUnparseable: 0,
    ghostPoolPods: 0,
    ghostPoolPodsDeleted: 0,
    podsWrittenByController: 0,
    cliRendered: 0,
    cliTypedErrors: {},
    cliBinRuns: 0,
    cliInProcessRuns: 0,
    controllerWarnings: {},
    settleMs: 0,
    phaseMs: { create: 0, controller: 0, checks: 0, cliInProcess: 0, cliRuns: 0 },
    violations,
    ms: 0,
  };
  let controller: ControllerBin | undefined;
  let phaseStart = performance.now();
  const phaseDone = (phase: keyof FuzzResult['phaseMs']) => {
    result.phaseMs[phase] = Math.round(performance.now() - phaseStart);
    phaseStart = performance.now();
  };
  try {
    await ensureCrds(kube, kubeConfig);
    const namespace = await createTestNamespace(kubeConfig, 'fuzz');
    // A port nothing listens on: the idle image is never pulled, and the resolver fails fast.
    const deadPort = await freePort();
    const idleImage = `127.0.0.1:${deadPort}/fuzz/idle:v1`;
    log(`namespace ${namespace}; ${options.cases} cases, seed ${options.seed}`);
    const pullSecrets = await createOddSecrets(kube, namespace, deadPort);
    await kube.request({
      method: 'POST',
      path: poolsPath(namespace),
      body: {
        apiVersion: 'agents.navix.sh/v1alpha1',
        kind: 'SandboxPool',
        metadata: { name: POOL, namespace },
        spec: {
          replicas: 0,
          idleImage,
          defaultStartupTimeout: '60s',
          defaultIdleTimeout: '45s',
          template: {
            spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: idleImage }] },
          },
        },
      },
    });
    const pool = await kube.request<SandboxPool>({ path: poolsPath(namespace, POOL) });
    const templateHash = templateHashOf(pool).value;

    // 1. Every write of the fuzz happens here, before the controller starts.
    const cases: Case[] = [];
    const context = { namespace, pool: POOL, templateHash, idleImage, deadPort, pullSecrets };
    const generated = Array.from({ length: options.cases }, (_, i) => generateHostilePod(rnd, i, context));
    await forEachBounded(generated, concurrency, async (g) => {
      let stored: Pod;
      try {
        stored = await kube.request<Pod>({ method: 'POST', path: podsPath(namespace), body: g.pod });
      } catch (err) {
        if (!(err instanceof KubeApiError) || err.status === 0 || err.status >= 500) {
          violations.push(`create ${g.pod.metadata?.name}: ${errorLine(err)}`);
          return;
        }
        result.rejectedByApiServer++;
        // `Pod "x" is invalid: spec.containers[0].image: Invalid value: …` → `422 spec.containers[0].image`.
        const field = /is invalid: ([^:]+):/.exec(err.message)?.[1]?.replace(/\[\d+\]/g, '[]');
        const why = `${err.status} ${field ?? err.reason ?? ''}`.trim();
        result.rejectReasons[why] = (result.rejectReasons[why] ?? 0) + 1;
        return;
      }
      const name = stored.metadata?.name ?? '';
      if (g.status !== undefined) {
        try {
          stored = await kube.request<Pod>({
            method: 'PUT',
            path: podsPath(namespace, name, 'status'),
            body: { ...stored, status: g.status },
          });
        } catch (err) {
          if (!(err instanceof KubeApiError) || err.status === 0 || err.status >= 500)
            violations.push(`status of ${name}: ${errorLine(err)}`);
          else result.rejectedStatuses++;
        }
      }
      if (g.markDeleting) {
        try {
          stored = await kube.request<Pod>({ method: 'DELETE', path: podsPath(namespace, name) });
        } catch (err) {
          violations.push(`delete ${name}: ${errorLine(err)}`);
        }
      }
      // Membership by the stored labels: an extra odd label may have replaced the pool label the generator chose.
      const label = stored.metadata?.labels?.[SandboxPoolLabelKey];
      const membership: PoolMembership = label === undefined ? 'none' : label === POOL ? 'pool' : 'ghost';
      cases.push({ name, membership, stored });
    });
    result.created = cases.length;
    log(`created ${cases.length} pods (${result.rejectedByApiServer} refused by kube-apiserver)`);

    // The working set the controller will count: pool pods not deleting, less the Failed ones it can parse
    // (those it deletes without replacing). With replicas equal to it, the pool neither grows nor shrinks.
    const parse = (pod: Pod) => {
      try {
        getInplaceUpdateState(pod);
        return true;
      } catch (err) {
        if (!(err instanceof InvalidStateError))
          violations.push(
            `core's codec threw ${errorLine(err)} for ${pod.metadata?.name}, not an InvalidStateError`,
          );
        return false;
      }
    };
    const parseable = new Map(cases.map((c) => [c.name, parse(c.stored)]));
    const replicas = cases.filter(
      (c) =>
        c.membership === 'pool' &&
        !c.stored.metadata?.deletionTimestamp &&
        !(parseable.get(c.name) && c.stored.status?.phase === 'Failed'),
    ).length;
    await kube.request({
      method: 'PATCH',
      path: poolsPath(namespace, POOL),
      body: { spec: { replicas } },
      contentType: 'application/merge-patch+json',
    });

    phaseDone('create');

    // 2. The controller, on its own from here on.
    const logFile = join(options.workDir, `fuzz-controller-${namespace}.log`);
    const controllerStart = performance.now();
    controller = await spawnControllerBin({
      args: [
        '--kubeconfig',
        options.controlPlane.kubeconfigPath,
        '--namespace',
        namespace,
        '--log-level',
        'info',
      ],
      logFile,
    });
    log(`controller ready after ${Math.round(performance.now() - controllerStart)} ms; settling`);
    result.settleMs = await settle(
      kube,
      namespace,
      controller,
      options.settleTimeoutMs ?? 60_000 + 15 * options.cases,
    );
    log(`settled after ${result.settleMs} ms`);
    const exit = controller.exitStatus();
    if (exit !== undefined) violations.push(`the controller exited (${exit}); see ${logFile}`);

    phaseDone('controller');

    // 3. What the controller did.
    const current = new Map(
      (await listAll<Pod>(kube, podsPath(namespace))).map((p) => [p.metadata?.name ?? '', p]),
    );
    const events = await listAll<KubeEventItem>(kube, eventsPath(namespace));
    const eventsByPod = new Map<string, KubeEventItem[]>();
    for (const e of events) {
      if (e.involvedObject?.kind !== 'Pod') continue;
      const n = e.involvedObject.name ?? '';
      eventsByPod.set(n, [...(eventsByPod.get(n) ?? []), e]);
    }
    for (const c of cases) {
      const now = current.get(c.name);
      // Sound because the fuzz wrote nothing after the controller started and nothing else writes pods here
      // (no kubelet, no other controller): a resourceVersion that moved, or a pod that is gone, is the
      // controller's doing. managedFields name the writer for the report.
      const written =
        now === undefined || now.metadata?.resourceVersion !== c.stored.metadata?.resourceVersion;
      if (written) result.podsWrittenByController++;
      const invalidEvent = (eventsByPod.get(c.name) ?? []).some(
        (e) =>
          e.reason === 'InvalidState' &&
          (e.involvedObject?.uid ?? c.stored.metadata?.uid) === c.stored.metadata?.uid,
      );
      if (c.membership === 'ghost') {
        result.ghostPoolPods++;
        if (now === undefined || now.metadata?.deletionTimestamp) result.ghostPoolPodsDeleted++;
        continue;
      }
      if (c.membership === 'none' && written)
        violations.push(`pod ${c.name} has no pool label and was ${describeWrite(c.stored, now)}`);
      if (parseable.get(c.name)) {
        if (invalidEvent)
          violations.push(`pod ${c.name}: an InvalidState Event for a state core's codec accepts`);
        continue;
      }
      result.unparseable++;
      if (c.membership !== 'pool') continue;
      result.unparseableInPool++;
      if (written) {
        result.podsWrittenByControllerWhileUnparseable++;
        violations.push(
          `pod ${c.name} has a malformed state annotation and was ${describeWrite(c.stored, now)}`,
        );
      }
      if (invalidEvent) result.invalidStateEvents++;
      else violations.push(`pod ${c.name} has a malformed state annotation and no InvalidState Event`);
    }
    scanControllerLog(readFileSync(logFile, 'utf8'), result.controllerWarnings, violations);
    log(`checked the controller: ${violations.length} violations so far`);

    phaseDone('checks');

    // 4. The CLI: every pod in-process, a sample through runCli and through the built bin.
    // Prototype-polluting keys (`__proto__`, `constructor`) in annotations must stay ordinary keys.
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).join(',');
    const rendered = await renderPodsInProcess({
      kubeConfig,
      namespace,
      pods: cases.map((c) => current.get(c.name) ?? c.stored),
      events: eventsByPod,
      concurrency,
    });
    if (Object.getOwnPropertyNames(Object.prototype).join(',') !== prototypeBefore)
      violations.push('Object.prototype gained properties while the CLI rendered the pods');
    result.cliRendered = rendered.rendered;
    result.cliTypedErrors = rendered.typedErrors;
    violations.push(...rendered.violations);
    phaseDone('cliInProcess');
    const global = ['--kubeconfig', options.controlPlane.kubeconfigPath, '-n', namespace];
    const unparseableNames = cases.filter((c) => !parseable.get(c.name)).map((c) => c.name);
    const sample = (names: string[], n: number) =>
      Array.from({ length: Math.min(n, names.length) }, () => rnd.pick(names) as string);
    const binSamples = options.cliBinSamples ?? 20;
    const picked = [
      ...sample(unparseableNames, Math.ceil(binSamples / 2)),
      ...sample(
        cases.map((c) => c.name),
        Math.floor(binSamples / 2),
      ),
    ];
    const commands = [
      ['get', 'sandboxes'],
      ['get', 'pools'],
      ['describe', 'pool', POOL],
      ['explain', 'pod/no-such-pod'],
      ...picked.flatMap((n) => [
        ['describe', 'sandbox', `pod/${n}`],
        ['explain', `pod/${n}`],
        ['explain', `pod/${n}`, '-o', 'json'],
      ]),
    ];
    for (const args of commands.slice(0, 12)) {
      const { violations: v } = await runAgentbox([...global, ...args], 'in-process');
      result.cliInProcessRuns++;
      violations.push(...v);
    }
    await forEachBounded(commands, 2, async (args) => {
      const { violations: v } = await runAgentbox([...global, ...args], 'bin');
      result.cliBinRuns++;
      violations.push(...v);
    });
    phaseDone('cliRuns');
    log(`CLI: ${result.cliRendered} rendered in-process, ${result.cliBinRuns} bin runs`);
  } finally {
    await controller?.stop().catch(() => undefined);
    await kube.close().catch(() => undefined);
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

interface KubeEventItem {
  reason?: string;
  involvedObject?: { kind?: string; name?: string; uid?: string };
}

async function ensureCrds(kube: KubeClient, kubeConfig: ReturnType<typeof kubeConfigFor>): Promise<void> {
  try {
    await kube.request({
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sandboxpools.agents.navix.sh',
    });
    return;
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.status !== 404) throw err;
  }
  await installCrds(kubeConfig, agentboxCrdFiles());
}

// Pull secrets whose contents the resolver's keychain must survive: not JSON, and JSON with odd auths.
async function createOddSecrets(kube: KubeClient, namespace: string, port: number): Promise<string[]> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secrets = [
    { name: 'fuzz-not-json', type: 'Opaque', data: { '.dockerconfigjson': b64('{not json') } },
    {
      name: 'fuzz-odd-auths',
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': b64(
          JSON.stringify({
            auths: {
              [`127.0.0.1:${port}`]: { auth: '!!not base64' },
              [`localhost:${port}`]: { username: 1, password: ['x'] },
              __proto__: { auth: b64('a:b') },
            },
          }),
        ),
      },
    },
    { name: 'fuzz-empty', type: 'Opaque', data: {} },
  ];
  for (const s of secrets)
    await kube.request({
      method: 'POST',
      path: secretsPath(namespace),
      body: { metadata: { name: s.name }, type: s.type, data: s.data },
    });
  return secrets.map((s) => s.name);
}

// Settled: the work queue is empty and nothing was written in the namespace (the pod list's resourceVersion is
// the store's revision) nor an Event added for 4 s in a row. Reconciles may go on: a pod whose completion
// kube-apiserver refuses (a target phase that is no valid label value) fails the pool's reconcile again at every
// back-off, writing nothing.
async function settle(
  kube: KubeClient,
  namespace: string,
  controller: Pick<ControllerBin, 'metricsText' | 'exitStatus'>,
  timeoutMs: number,
): Promise<number> {
  const t0 = performance.now();
  // Pod changes in the namespace, from a watch of its own: a list's resourceVersion is the store's global
  // revision, which Lease renewals elsewhere keep moving, so it never settles on a busy control plane.
  let podChanges = 0;
  const ac = new AbortController();
  const watching = (async () => {
    let from = '';
    while (!ac.signal.aborted) {
      if (!from) {
        from = await kube
          .request<{ metadata?: { resourceVersion?: string } }>({
            path: podsPath(namespace),
            query: { limit: 1 },
          })
          .then((l) => l.metadata?.resourceVersion ?? '')
          .catch(() => '');
        if (!from) {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
      }
      await kube
        .watch({
          path: podsPath(namespace),
          query: { resourceVersion: from, timeoutSeconds: 300 },
          signal: ac.signal,
          onEvent: (event) => {
            podChanges++;
            if (event.type === 'ERROR') from = '';
            else from = (event.object as Pod | undefined)?.metadata?.resourceVersion ?? from;
          },
        })
        .catch(async () => {
          // A failed watch counts as a change (something may have been missed); wait before the next one.
          podChanges++;
          await new Promise((r) => setTimeout(r, 500));
        });
    }
  })();
  let last = '';
  let quietSince = performance.now();
  try {
    while (performance.now() - t0 < timeoutMs && controller.exitStatus() === undefined) {
      await new Promise((r) => setTimeout(r, 1_000));
      const depth = metricSum((await controller.metricsText()) ?? '', 'agentbox_workqueue_depth');
      const events = await kube
        .request<{ items: unknown[]; metadata?: { remainingItemCount?: number } }>({
          path: eventsPath(namespace),
          query: { limit: 1 },
        })
        .then((l) => l.items.length + (l.metadata?.remainingItemCount ?? 0))
        .catch(() => -1);
      const now = `${depth} ${podChanges} ${events}`;
      if (now !== last || depth !== 0) {
        last = now;
        quietSince = performance.now();
      } else if (performance.now() - quietSince >= 4_000) break;
    }
  } finally {
    ac.abort();
    await watching;
  }
  return Math.round(performance.now() - t0);
}

function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

const levels: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

// pino JSON lines: error and fatal (level ≥ 50), a line that is not JSON, a stack trace, or an untyped
// JavaScript error named in a message are violations; warnings are counted by message.
function scanControllerLog(text: string, warnings: Record<string, number>, violations: string[]): void {
  const untyped =
    /\b(TypeError|RangeError|ReferenceError|SyntaxError|EvalError)\b|Cannot read propert|is not a function|Maximum call stack/;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: { level?: number | string; msg?: string; err?: unknown; stack?: unknown };
    try {
      entry = JSON.parse(line);
    } catch {
      violations.push(`controller log: a line that is not JSON: ${line.slice(0, 300)}`);
      continue;
    }
    // pino writes the level as a label (`"warn"`) or a number (40), depending on its formatter.
    const level = typeof entry.level === 'number' ? entry.level : (levels[entry.level ?? ''] ?? 0);
    if (level >= 50) violations.push(`controller log: ${line.slice(0, 300)}`);
    else if (untyped.test(line) || /\n\s+at /.test(line) || entry.stack !== undefined)
      violations.push(`controller log: an untyped error or a stack trace: ${line.slice(0, 300)}`);
    if (level === 40) {
      // Per-pod messages (`ns/pod: update pending`) are counted under one key.
      const key = (entry.msg ?? '').replace(/^[^\s/]+\/[^\s:]+: /, '');
      warnings[key] = (warnings[key] ?? 0) + 1;
    }
  }
}

function describeWrite(before: Pod, after: Pod | undefined): string {
  if (after === undefined) return 'deleted';
  const fields = (
    after.metadata as { managedFields?: { manager?: string; operation?: string; subresource?: string }[] }
  ).managedFields;
  const managers = (fields ?? [])
    .filter((m) => m.manager !== FUZZ_MANAGER)
    .map((m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`);
  return `written: resourceVersion ${before.metadata?.resourceVersion} → ${after.metadata?.resourceVersion}${after.metadata?.deletionTimestamp ? ', deleting' : ''}, managers [${managers.join(', ')}]`;
}

async function listAll<T>(kube: KubeClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await kube.request<{ items: T[]; metadata?: { continue?: string } }>({
      path,
      query: { limit: 500, continue: token },
    });
    items.push(...page.items);
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return items;
}

async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function errorLine(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.slice(0, 300)}` : String(err);
}
