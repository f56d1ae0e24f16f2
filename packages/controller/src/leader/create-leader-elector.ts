import { type Clock, isConflictError, systemClock } from '@agentbox/core';
import { isKubeStatus, isNotFoundError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { leasesPath } from '../kube/kube-paths.js';
import { type Logger, silentLogger } from '../observability/logger.js';
import type { ResolvedLeaderElectionOptions } from './leader-election-options.js';
import { type Lease, type LeaseSpec, microTime } from './lease.js';

/** Options of createLeaderElector. */
export interface LeaderElectorOptions {
  kube: KubeClient;
  election: ResolvedLeaderElectionOptions;
  /** Called when this replica becomes leader; `signal` aborts the moment the term ends. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called when a term ends (lost, or stopped); `reason` says why. */
  onStoppedLeading(reason: string): void;
  /** Wall-clock for the Lease's timestamps. Default: the system clock. */
  clock?: Clock;
  /** Monotonic milliseconds for every expiry decision (test seam). Default: `performance.now`. */
  nowMs?: () => number;
  logger?: Logger;
}

/** A candidate for a Lease, campaigning until stopped; a term ends when renewal fails or another holder shows. */
export interface LeaderElector {
  /** Starts campaigning (idempotent). */
  start(): void;
  /** True while this replica leads and its last renewal is within the renew deadline. */
  isLeader(): boolean;
  /** Stops campaigning; ends the current term and releases the Lease so another replica takes over at once. */
  stop(): Promise<void>;
}

type Attempt = 'acquired' | 'held' | 'lost';

/**
 * Leader election with client-go's semantics: a Lease GET, then a POST (none yet) or a PUT guarded by
 * resourceVersion; another holder's Lease counts as valid until `leaseDurationSeconds` after this replica last
 * saw it change (its own monotonic clock, so clock skew between nodes does not matter). A leader renews every
 * `retryPeriodMs`; it gives up when the renew deadline passes without success or when the Lease names another
 * holder, and aborts the term's signal at once so no write follows. The deadline is checked on a timer and on
 * every `isLeader()`, which the manager's write fence calls before each write.
 */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const { kube, election } = options;
  const clock = options.clock ?? systemClock;
  const nowMs = options.nowMs ?? (() => performance.now());
  const logger = (options.logger ?? silentLogger).child({
    lease: `${election.leaseNamespace}/${election.leaseName}`,
    identity: election.identity,
  });
  const path = leasesPath(election.leaseNamespace, election.leaseName);
  const durationSeconds = Math.max(1, Math.ceil(election.leaseDurationMs / 1000));

  let started = false;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  // The Lease as last seen, and when (monotonic) it last changed.
  let observedKey = '';
  let observedAtMs = 0;
  let observed: Lease | undefined;

  // The current term.
  let term: AbortController | undefined;
  let lastRenewMs = 0;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;

  function observe(lease: Lease): void {
    const s = lease.spec ?? {};
    const key = JSON.stringify([
      s.holderIdentity,
      s.renewTime,
      s.acquireTime,
      s.leaseTransitions,
      s.leaseDurationSeconds,
    ]);
    if (key !== observedKey) {
      observedKey = key;
      observedAtMs = nowMs();
    }
    observed = lease;
  }

  function heldByOther(lease: Lease): boolean {
    const holder = lease.spec?.holderIdentity ?? '';
    if (!holder || holder === election.identity) return false;
    const seconds = lease.spec?.leaseDurationSeconds ?? 0;
    return observedAtMs + seconds * 1000 > nowMs();
  }

  /** One GET + POST/PUT; `leading` turns "another holder" into `lost` instead of `held`. */
  async function tryAcquireOrRenew(leading: boolean, timeoutMs: number): Promise<Attempt> {
    const now = clock.now();
    const signal = stopping.signal;
    let current: Lease | undefined;
    try {
      current = await kube.request<Lease>({ path, signal, timeoutMs });
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
    if (current === undefined) {
      if (leading) return 'lost';
      const spec: LeaseSpec = {
        holderIdentity: election.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      };
      try {
        const created = await kube.request<Lease>({
          method: 'POST',
          path: leasesPath(election.leaseNamespace),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: election.leaseName, namespace: election.leaseNamespace },
            spec,
          },
          signal,
          timeoutMs,
        });
        observe(created);
        return 'acquired';
      } catch (err) {
        if (isKubeStatus(err, 409)) return 'held'; // another candidate created it first
        throw err;
      }
    }
    observe(current);
    const holder = current.spec?.holderIdentity ?? '';
    if (leading && holder !== election.identity) return 'lost';
    if (heldByOther(current)) return 'held';
    const mine = holder === election.identity;
    const spec: LeaseSpec = {
      ...current.spec,
      holderIdentity: election.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine ? (current.spec?.acquireTime ?? microTime(now)) : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (current.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      const updated = await kube.request<Lease>({
        method: 'PUT',
        path,
        body: { ...current, spec },
        signal,
        timeoutMs,
      });
      observe(updated);
      return 'acquired';
    } catch (err) {
      if (!isConflictError(err)) throw err;
      // Someone else wrote the Lease since our GET: as leader, look at once whether it still names us.
      if (!leading) return 'held';
      const fresh = await kube.request<Lease>({ path, signal, timeoutMs });
      observe(fresh);
      return fresh.spec?.holderIdentity === election.identity ? 'held' : 'lost';
    }
  }

  function endTerm(reason: string): void {
    if (!term) return;
    const ending = term;
    term = undefined;
    if (deadlineTimer) clearTimeout(deadlineTimer);
    deadlineTimer = undefined;
    ending.abort(new Error(`leadership ended: ${reason}`));
    logger.info({ reason }, 'stopped leading');
    try {
      options.onStoppedLeading(reason);
    } catch (err) {
      logger.error({ err: String(err) }, 'onStoppedLeading failed');
    }
  }

  function armDeadline(): void {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    const left = lastRenewMs + election.renewDeadlineMs - nowMs();
    deadlineTimer = setTimeout(() => checkDeadline(), Math.max(0, left));
  }

  function checkDeadline(): boolean {
    if (!term) return false;
    if (nowMs() - lastRenewMs >= election.renewDeadlineMs) {
      endTerm('renew deadline passed');
      return false;
    }
    return true;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stopping.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  const jittered = () => election.retryPeriodMs * (1 + Math.random() * 0.2);

  async function lead(): Promise<void> {
    // 1. Renew every retry period; each attempt may use what is left of the deadline.
    // 2. Success moves the deadline; "another holder" ends the term at once; errors retry until the deadline.
    while (term && !stopping.signal.aborted) {
      await sleep(election.retryPeriodMs);
      if (stopping.signal.aborted || !checkDeadline()) return;
      const sentAt = nowMs();
      const left = lastRenewMs + election.renewDeadlineMs - sentAt;
      try {
        const outcome = await tryAcquireOrRenew(
          true,
          Math.max(1, Math.min(left, election.retryPeriodMs * 2)),
        );
        if (!term) return; // the deadline timer ended the term meanwhile
        if (outcome === 'acquired') {
          lastRenewMs = sentAt;
          armDeadline();
        } else if (outcome === 'lost') {
          endTerm(`the Lease is held by ${observed?.spec?.holderIdentity || 'nobody'}`);
          return;
        }
      } catch (err) {
        if (stopping.signal.aborted) return;
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease renewal failed');
      }
    }
  }

  async function campaign(): Promise<void> {
    while (!stopping.signal.aborted) {
      const sentAt = nowMs();
      let outcome: Attempt = 'held';
      try {
        outcome = await tryAcquireOrRenew(false, election.renewDeadlineMs);
      } catch (err) {
        if (stopping.signal.aborted) return;
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease acquisition failed');
      }
      if (stopping.signal.aborted) return;
      if (outcome === 'acquired') {
        lastRenewMs = sentAt;
        term = new AbortController();
        armDeadline();
        logger.info({}, 'started leading');
        try {
          options.onStartedLeading(term.signal);
        } catch (err) {
          logger.error({ err: String(err) }, 'onStartedLeading failed');
        }
        await lead();
        if (stopping.signal.aborted) return;
      }
      await sleep(jittered());
    }
  }

  async function release(): Promise<void> {
    const timeoutMs = election.retryPeriodMs * 2;
    try {
      const current = await kube.request<Lease>({ path, timeoutMs });
      if (current.spec?.holderIdentity !== election.identity) return;
      const now = microTime(clock.now());
      // client-go's release: no holder, a 1 s duration, so the next candidate takes over on its next try.
      await kube.request({
        method: 'PUT',
        path,
        body: {
          ...current,
          spec: {
            ...current.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
        timeoutMs,
      });
      logger.info({}, 'released the lease');
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease release failed');
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      loop = campaign();
    },
    isLeader() {
      return checkDeadline();
    },
    async stop() {
      stopping.abort();
      await loop;
      const held = term !== undefined;
      endTerm('stopped');
      if (held) await release();
    },
  };
}
