import net from 'node:net';
import { isConflictError, type Pod } from '@agentbox/core';
import { createTestNamespace, kubeConfigFor, startTcpRelay } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPodClient } from '../src/kube/create-pod-client.js';
import { KubeApiError } from '../src/kube/kube-api-error.js';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { podsPath } from '../src/kube/kube-paths.js';

describe('createKubeClient against the real kube-apiserver', () => {
  const kc = kubeConfigFor(inject('controlPlane'));
  let kube: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    kube = await createKubeClient(kc);
    namespace = await createTestNamespace(kc, 'kube-client');
  });
  afterAll(async () => {
    await kube.close();
  });

  const pod = (name: string): Pod => ({
    metadata: { name, namespace, labels: { app: 'x' } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });

  it('creates, reads, replaces and deletes a pod; a stale PUT is a conflict', async () => {
    const created = await kube.request<Pod>({ method: 'POST', path: podsPath(namespace), body: pod('a') });
    expect(created.metadata?.uid).toBeTruthy();
    const client = createPodClient(kube);
    const read = await client.getPod(namespace, 'a');
    read.metadata!.labels!['x'] = '1';
    const stored = await client.replacePod(read);
    expect(stored.metadata?.labels?.['x']).toBe('1');
    const stale = await client.replacePod(read).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(KubeApiError);
    expect(isConflictError(stale)).toBe(true);
    expect((stale as KubeApiError).reason).toBe('Conflict');
    await kube.request({ method: 'DELETE', path: podsPath(namespace, 'a') });
    const gone = await client.getPod(namespace, 'a').catch((e: unknown) => e);
    expect((gone as KubeApiError).status).toBe(404);
    expect((gone as KubeApiError).code).toBe('KubeApi');
  });

  it('streams watch events in order and stops on abort', async () => {
    const list = await kube.request<{ metadata: { resourceVersion: string } }>({ path: podsPath(namespace) });
    const seen: string[] = [];
    const ac = new AbortController();
    const done = kube.watch({
      path: podsPath(namespace),
      query: { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
      signal: ac.signal,
      onEvent: (ev) => {
        const name = (ev.object as Pod).metadata?.name;
        if (ev.type !== 'BOOKMARK') seen.push(`${ev.type} ${name}`);
        if (seen.length === 2) ac.abort();
      },
    });
    await kube.request({ method: 'POST', path: podsPath(namespace), body: pod('w') });
    await kube.request({ method: 'DELETE', path: podsPath(namespace, 'w') });
    await done;
    expect(seen[0]).toBe('ADDED w');
    expect(seen[1]).toMatch(/^(MODIFIED|DELETED) w$/);
  });

  it('lets many requests share one signal without a MaxListenersExceededWarning on stderr', async () => {
    // A reconcile's concurrent completions all carry the term's signal; Node warns at 11 abort listeners.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const shared = new AbortController();
      await Promise.all(
        Array.from({ length: 40 }, () =>
          kube.request({ path: `/api/v1/namespaces/${namespace}`, signal: shared.signal }),
        ),
      );
      await new Promise((r) => setTimeout(r, 50)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('keeps connections alive: 1000 sequential GETs open at most two TCP connections', async () => {
    // A counting TCP relay in front of the API server sees every connection the client opens.
    const upstream = new URL(kc.getCurrentCluster()!.server);
    let opened = 0;
    const relay = net.createServer((socket) => {
      opened++;
      const out = net.connect(Number(upstream.port), upstream.hostname);
      socket.pipe(out).pipe(socket);
      socket.on('error', () => out.destroy());
      out.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as net.AddressInfo).port;
    const viaRelay = kubeConfigFor({ ...inject('controlPlane'), server: `https://127.0.0.1:${port}` });
    const client = await createKubeClient(viaRelay);
    try {
      for (let i = 0; i < 1000; i++) await client.request({ path: `/api/v1/namespaces/${namespace}` });
      expect(client.requestCount()).toBe(1000);
      // Seen on the test control plane: one extra connection right at the start, then one for every request.
      expect(opened).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
      relay.close();
    }
  });

  it('sends a GET, and a PATCH marked idempotent, once more when the server dropped the kept-alive connection it was sent on', async () => {
    // The relay plays a server that closed an idle connection: bytes arriving on a connection idle for
    // 200 ms kill it instead of being forwarded, so the request written on it gets no answer.
    const upstream = new URL(kc.getCurrentCluster()!.server);
    let opened = 0;
    const relay = net.createServer((socket) => {
      opened++;
      const out = net.connect(Number(upstream.port), upstream.hostname);
      let last = Date.now();
      socket.on('data', (chunk) => {
        if (Date.now() - last > 200) {
          socket.destroy();
          out.destroy();
          return;
        }
        last = Date.now();
        out.write(chunk);
      });
      out.on('data', (chunk) => {
        last = Date.now();
        socket.write(chunk);
      });
      socket.on('error', () => out.destroy());
      out.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as net.AddressInfo).port;
    const client = await createKubeClient(
      kubeConfigFor({ ...inject('controlPlane'), server: `https://127.0.0.1:${port}` }),
    );
    try {
      await client.request({ path: `/api/v1/namespaces/${namespace}` });
      await new Promise((r) => setTimeout(r, 400));
      const ns = await client.request<{ metadata: { name: string } }>({
        path: `/api/v1/namespaces/${namespace}`,
      });
      expect(ns.metadata.name).toBe(namespace);
      expect(opened).toBe(2);
      // A PATCH goes again only when the caller marks it idempotent.
      const patch = (idempotent: boolean) =>
        client.request({
          method: 'PATCH',
          path: `/api/v1/namespaces/${namespace}`,
          body: { metadata: { labels: { 'agentbox.test/resent': String(idempotent) } } },
          idempotent,
        });
      await new Promise((r) => setTimeout(r, 400));
      await expect(patch(false)).rejects.toBeInstanceOf(KubeApiError);
      await client.request({ path: `/api/v1/namespaces/${namespace}` }); // a fresh kept-alive connection
      expect(opened).toBe(3);
      await new Promise((r) => setTimeout(r, 400));
      await expect(patch(true)).resolves.toBeDefined();
      expect(opened).toBe(4); // the stale one, then the resend's
    } finally {
      await client.close();
      relay.close();
    }
  });

  it('a watch does not hold a request connection hostage', async () => {
    const small = await createKubeClient(kc, { connections: 1 });
    const ac = new AbortController();
    const watching = small.watch({ path: podsPath(namespace), signal: ac.signal, onEvent: () => {} });
    await small.request({ path: `/api/v1/namespaces/${namespace}` });
    ac.abort();
    await watching;
    await small.close();
  });
});

describe('createKubeClient when every open connection freezes (through a TCP relay)', () => {
  const access = inject('controlPlane');

  it('pays one timeout, not one per kept-alive connection: the first timeout retires the frozen pool', async () => {
    const relay = await startTcpRelay(access.server);
    const kube = await createKubeClient(kubeConfigFor({ ...access, server: relay.server }), {
      requestTimeoutMs: 1_000,
    });
    try {
      // Four connections kept alive, then the path freezes (no byte moves, nothing closes).
      await Promise.all(
        Array.from({ length: 4 }, () => kube.request({ path: '/api/v1/namespaces/default' })),
      );
      const before = relay.connections();
      expect(before).toBeGreaterThanOrEqual(2);
      relay.freezeAll();
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        outcomes.push(
          await kube
            .request({ path: '/api/v1/namespaces/default' })
            .then(() => 'ok')
            .catch((e: unknown) => (e instanceof KubeApiError ? e.message : String(e))),
        );
      }
      expect(outcomes[0]).toMatch(/timed out after 1000 ms/);
      expect(outcomes.slice(1)).toEqual(['ok', 'ok', 'ok']);
      expect(relay.connections()).toBeGreaterThan(before);
    } finally {
      await kube.close();
      await relay.close();
    }
  });
});
