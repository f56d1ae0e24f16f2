import { describe, expect, it } from 'vitest';
import { createControllerMetrics } from './create-controller-metrics.js';

async function text(m: ReturnType<typeof createControllerMetrics>): Promise<string> {
  return m.registry.metrics();
}

describe('createControllerMetrics', () => {
  it('reports pool counts by phase, zeroes a phase that dropped out, forgets a deleted pool', async () => {
    const m = createControllerMetrics(undefined, { defaultMetrics: false });
    m.setPoolCounts('ns', 'p', { idle: 3, running: 2 }, 5);
    let out = await text(m);
    expect(out).toContain('agentbox_pool_sandboxes{namespace="ns",pool="p",phase="idle"} 3');
    expect(out).toContain('agentbox_pool_replicas_desired{namespace="ns",pool="p"} 5');
    m.setPoolCounts('ns', 'p', { idle: 5 }, 5);
    out = await text(m);
    expect(out).toContain('agentbox_pool_sandboxes{namespace="ns",pool="p",phase="running"} 0');
    m.deletePool('ns', 'p');
    out = await text(m);
    expect(out).not.toContain('pool="p"');
  });

  it('measures the reaction from the last pod event to the completing write, once', async () => {
    let now = 1_000;
    const m = createControllerMetrics(undefined, { defaultMetrics: false, nowMs: () => now });
    m.notePodEvent('ns/a');
    now += 4;
    m.notePodEvent('ns/a'); // the latest event counts
    now += 6;
    m.observeReaction('ns/a');
    m.observeReaction('ns/a'); // no event since: nothing observed
    const out = await text(m);
    expect(out).toContain('agentbox_reaction_seconds_count 1');
    expect(out).toContain('agentbox_reaction_seconds_sum 0.006');
  });

  it('bounds the pods it remembers', async () => {
    let now = 0;
    const m = createControllerMetrics(undefined, {
      defaultMetrics: false,
      maxTrackedPods: 2,
      nowMs: () => now,
    });
    m.notePodEvent('ns/a');
    m.notePodEvent('ns/b');
    m.notePodEvent('ns/c'); // drops ns/a
    now = 1;
    m.observeReaction('ns/a');
    m.observeReaction('ns/c');
    expect(await text(m)).toContain('agentbox_reaction_seconds_count 1');
  });

  it('counts resolver cache hits, misses and errors; reconciles; releases; leader; no pod labels', async () => {
    const m = createControllerMetrics(undefined, { defaultMetrics: false });
    m.onResolverCacheEvent({ type: 'hit', operation: 'resolve', reference: 'r', negative: false });
    m.onResolverCacheEvent({ type: 'join', operation: 'resolve', reference: 'r' });
    m.onResolverCacheEvent({ type: 'miss', operation: 'resolve', reference: 'r' });
    m.onResolverCacheEvent({ type: 'error', operation: 'resolve', reference: 'r', error: new Error('x') });
    m.observeReconcile('success', 0.01);
    m.observeReconcile('error', 0.02);
    m.incQueueRetries();
    m.setQueueDepth(7);
    m.incReleases('ns', 'p', 'IdleTimeout');
    m.observeTransition('ns', 'p', 'idle_to_running', 0.2);
    m.setLeader(true);
    const out = await text(m);
    expect(out).toContain('agentbox_resolver_requests_total{result="hit"} 2');
    expect(out).toContain('agentbox_resolver_requests_total{result="miss"} 1');
    expect(out).toContain('agentbox_resolver_requests_total{result="error"} 1');
    expect(out).toContain('agentbox_resolver_cache_hits_total 2');
    expect(out).toContain('agentbox_resolver_cache_misses_total 1');
    expect(out).toContain('agentbox_reconcile_total{result="success"} 1');
    expect(out).toContain('agentbox_reconcile_total{result="requeue"} 0');
    expect(out).toContain('agentbox_workqueue_retries_total 1');
    expect(out).toContain('agentbox_workqueue_depth 7');
    expect(out).toContain('agentbox_releases_total{namespace="ns",pool="p",reason="IdleTimeout"} 1');
    expect(out).toContain(
      'agentbox_transition_duration_seconds_count{namespace="ns",pool="p",transition="idle_to_running"} 1',
    );
    expect(out).toContain('agentbox_leader 1');
    expect(out).not.toMatch(/pod="/);
  });

  it('registers Node process metrics by default, in its own registry per instance', async () => {
    const a = createControllerMetrics();
    const b = createControllerMetrics();
    expect(await text(a)).toContain('process_cpu_user_seconds_total');
    expect(await text(b)).toContain('nodejs_eventloop_lag_seconds');
  });
});
