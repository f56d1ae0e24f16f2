import { createRegistryResolver } from '@agentbox/resolver-registry';
import { startConnectionCounter } from '@agentbox/testenv';
import type { GoBaseline } from './go-baseline-process.js';

/** TCP connections each side opened for `resolves` sequential resolves, counted at the registry side. */
export interface ConnectionsResult {
  readonly resolves: number;
  readonly agentbox: number;
  readonly ggcr: number;
}

/**
 * Sequential resolves of one tag through a TCP forwarder in front of the registry that counts accepted
 * connections: a fresh resolver (default options, so the loopback https probe included) against a fresh Go
 * Puller (whose ping also tries https first).
 */
export async function measureConnections(
  registryHost: string,
  reference: string,
  resolves: number,
  go: GoBaseline,
): Promise<ConnectionsResult> {
  const counter = await startConnectionCounter(registryHost);
  const ref = `${counter.host}/${reference.slice(reference.indexOf('/') + 1)}`;
  try {
    const resolver = createRegistryResolver({ proxy: false, env: {} });
    try {
      for (let i = 0; i < resolves; i++) await resolver.resolve(ref);
    } finally {
      await resolver.close();
    }
    const agentbox = counter.connections();
    counter.reset();
    await go.round([ref], resolves, 1);
    return { resolves, agentbox, ggcr: counter.connections() };
  } finally {
    await counter.stop();
  }
}
