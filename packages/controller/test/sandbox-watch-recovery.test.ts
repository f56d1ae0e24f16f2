import { kubeConfigFor, startTcpRelay, type TcpRelay } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import type { SandboxClient, WaitProgress } from '../src/sandbox/sandbox-client.js';
import { type SandboxFixture, startSandboxFixture } from './sandbox-fixture.js';

// The client reaches the API server through a TCP relay that can cut every connection, as an API server
// restart or a network blip does.
describe('SandboxClient.wait when its connections are cut', () => {
  let fx: SandboxFixture;
  let relay: TcpRelay;
  let client: SandboxClient;

  beforeAll(async () => {
    fx = await startSandboxFixture('sandbox-cut');
    relay = await startTcpRelay(inject('controlPlane').server);
    const viaRelay = kubeConfigFor({ ...inject('controlPlane'), server: relay.server });
    client = createSandboxClient({ kubeConfig: viaRelay, resolver: fx.resolver });
    await fx.createPool('cut');
  });
  afterAll(async () => {
    await client?.close();
    await relay?.close();
    await fx?.close();
  });

  it('reconnects, reads the pod again and still sees it reach running', async () => {
    await fx.createIdlePods('cut', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'cut', image: fx.images.app });
    const phases: string[] = [];
    const waiting = client.wait(
      { namespace: fx.namespace, sandboxId: sandbox.id },
      { phase: 'running', timeoutMs: 60_000, onProgress: (p: WaitProgress) => phases.push(p.phase) },
    );
    // Let the watch start, cut it, and complete the pod while the client is reconnecting.
    await new Promise((r) => setTimeout(r, 300));
    const before = relay.connections();
    relay.cutAll();
    await fx.complete(sandbox.pod);
    const running = await waiting;
    expect(running.phase).toBe('running');
    expect(relay.connections()).toBeGreaterThan(before);
    expect(phases.at(-1)).toBe('running');
  });

  it('a claim after a cut goes through on new connections', async () => {
    await fx.createIdlePods('cut', 1);
    relay.cutAll();
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'cut', image: fx.images.app });
    expect(sandbox.phase).toBe('starting');
  });
});
