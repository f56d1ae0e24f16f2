import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import { createTestNamespace, kubeConfigFor, startTcpRelay, type TcpRelay } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createPodInformer } from '../src/informer/create-pod-informer.js';
import type { Informer } from '../src/informer/informer.js';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { podsPath } from '../src/kube/kube-paths.js';
import type { Logger } from '../src/observability/logger.js';

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 20_000, interval: 25 });

describe('informer faults: a cut watch connection and a silent watch (through a TCP relay)', () => {
  const access = inject('controlPlane');
  const kc = kubeConfigFor(access);
  let direct: KubeClient;
  let relay: TcpRelay;
  let viaRelay: KubeClient;
  let lists = 0;
  const informers: Array<Informer<Pod>> = [];

  beforeAll(async () => {
    direct = await createKubeClient(kc);
    relay = await startTcpRelay(access.server);
    const relayed = await createKubeClient(kubeConfigFor({ ...access, server: relay.server }));
    // Counts the informer's LIST requests (every request it sends is a list page; watches go through `watch`).
    viaRelay = {
      ...relayed,
      request: (req) => {
        lists++;
        return relayed.request(req);
      },
      close: () => relayed.close(),
    };
  });
  afterAll(async () => {
    await Promise.all(informers.map((i) => i.stop()));
    await viaRelay.close();
    await relay.close();
    await direct.close();
  });

  const createPod = (namespace: string, name: string) =>
    direct.request<Pod>({
      method: 'POST',
      path: podsPath(namespace),
      body: {
        metadata: { name, namespace, labels: { [SandboxPoolLabelKey]: 'p' } },
        spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
      },
    });

  /** A logger that keeps the messages, to tell which recovery path ran. */
  function capturingLogger(messages: string[]): Logger {
    const logger: Logger = {
      debug: (_o, msg) => messages.push(`debug ${msg}`),
      info: (_o, msg) => messages.push(`info ${msg}`),
      warn: (_o, msg) => messages.push(`warn ${msg}`),
      error: (_o, msg) => messages.push(`error ${msg}`),
      child: () => logger,
    };
    return logger;
  }

  /** Starts an informer through the relay and waits until its watch delivers (so the watch connection is up). */
  async function startInformer(
    namespace: string,
    options: { watchdogMs?: number; silenceProbeMs?: number; relistIntervalMs?: number } = {},
  ) {
    // Each test starts clean: the informers of earlier tests stopped, frozen connections dropped.
    await Promise.all(informers.splice(0).map((i) => i.stop()));
    relay.release();
    relay.cutAll();
    const adds: string[] = [];
    const messages: string[] = [];
    const informer = createPodInformer(viaRelay, {
      namespace,
      backoffInitialMs: 50,
      logger: capturingLogger(messages),
      ...options,
    });
    informers.push(informer);
    informer.onEvent((type, obj) => {
      if (type === 'add') adds.push(obj.metadata?.name ?? '');
    });
    lists = 0;
    informer.start();
    await informer.synced;
    await createPod(namespace, 'warm');
    await waitFor(() => expect(informer.get(`${namespace}/warm`)).toBeDefined());
    return { informer, adds, messages };
  }

  it('recovers after the watch connection is cut: re-watches from the last resourceVersion, no relist, no event lost', async () => {
    const ns = await createTestNamespace(kc, 'informer-cut');
    await createPod(ns, 'first');
    const { informer, adds, messages } = await startInformer(ns);
    expect(adds).toEqual(['first', 'warm']);
    const connectionsBefore = relay.connections();

    // Cut every connection and keep the informer from reconnecting while the pod changes happen.
    relay.hold();
    relay.cutAll();
    await createPod(ns, 'while-cut');
    relay.release();

    await waitFor(() => expect(informer.get(`${ns}/while-cut`)).toBeDefined());
    await createPod(ns, 'after');
    await waitFor(() => expect(informer.get(`${ns}/after`)).toBeDefined());
    expect(adds).toEqual(['first', 'warm', 'while-cut', 'after']);
    expect(lists).toBe(1);
    expect(messages).toContain('warn list/watch failed');
    expect(relay.connections()).toBeGreaterThan(connectionsBefore);
  });

  it('the watchdog rebuilds a watch that stays open but delivers nothing', async () => {
    const ns = await createTestNamespace(kc, 'informer-stall');
    const { informer, adds, messages } = await startInformer(ns, { watchdogMs: 400, silenceProbeMs: 0 });
    const connectionsBefore = relay.connections();

    // The established watch connection stays open but carries nothing from now on.
    relay.freezeAll();
    await createPod(ns, 'after-stall');

    // Only a rebuilt watch (a new connection) can deliver the pod.
    await waitFor(() => expect(informer.get(`${ns}/after-stall`)).toBeDefined());
    expect(adds).toEqual(['warm', 'after-stall']);
    expect(relay.connections()).toBeGreaterThan(connectionsBefore);
    expect(messages).toContain('warn watch silent; rebuilding it');
    expect(lists).toBe(1);
  });

  it('a probe finds a frozen watch long before the watchdog: a second watch delivers what the first did not', async () => {
    const ns = await createTestNamespace(kc, 'informer-probe');
    const { informer, adds, messages } = await startInformer(ns, {
      watchdogMs: 600_000,
      silenceProbeMs: 200,
    });
    relay.freezeAll();
    await createPod(ns, 'after-freeze');
    await waitFor(() => expect(informer.get(`${ns}/after-freeze`)).toBeDefined());
    expect(adds).toEqual(['warm', 'after-freeze']);
    expect(messages).toContain('warn watch silent while the server had changes; rebuilding it');
    expect(messages).not.toContain('warn watch silent; rebuilding it');
    expect(lists).toBe(1);
  });

  it('probes leave a quiet, healthy watch alone', async () => {
    const ns = await createTestNamespace(kc, 'informer-quiet');
    const { informer, adds, messages } = await startInformer(ns, {
      watchdogMs: 600_000,
      silenceProbeMs: 100,
    });
    const connectionsBefore = relay.connections();
    // Long enough for several probes (each: 100–200 ms of silence, then one second of a second watch).
    await new Promise((r) => setTimeout(r, 3_000));
    expect(relay.connections()).toBeGreaterThan(connectionsBefore);
    expect(messages.filter((m) => m.startsWith('warn'))).toEqual([]);
    await createPod(ns, 'later');
    await waitFor(() => expect(informer.get(`${ns}/later`)).toBeDefined());
    expect(adds).toEqual(['warm', 'later']);
    expect(lists).toBe(1);
  });

  it('relists every relistIntervalMs without emitting anything for unchanged objects', async () => {
    const ns = await createTestNamespace(kc, 'informer-resync');
    const { informer, adds } = await startInformer(ns, { relistIntervalMs: 200 });
    const updates: string[] = [];
    informer.onEvent((type, obj) => {
      if (type !== 'add') updates.push(`${type} ${obj.metadata?.name}`);
    });
    await waitFor(() => expect(lists).toBeGreaterThanOrEqual(3));
    await createPod(ns, 'after-relists');
    await waitFor(() => expect(informer.get(`${ns}/after-relists`)).toBeDefined());
    expect(adds).toEqual(['warm', 'after-relists']);
    expect(updates).toEqual([]);
  });
});
