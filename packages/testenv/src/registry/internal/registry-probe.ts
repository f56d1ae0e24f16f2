import { Agent, request } from 'undici';

/** Asks `GET /v2/` of the registry on `port` and returns the status; `close` releases its connections. */
export type Probe = ((port: number) => Promise<number>) & { close?: () => Promise<void> };

/** Probes over plain HTTP. */
export const probeHttp: Probe = async (port) => {
  const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1_000) });
  await res.arrayBuffer();
  return res.status;
};

/** Probes over https trusting only the test CA, so a wrong certificate fails the start. */
export function probeHttps(caPem: string): Probe {
  const agent = new Agent({ connect: { ca: caPem } });
  const probe: Probe = async (port) => {
    const res = await request(`https://127.0.0.1:${port}/v2/`, {
      dispatcher: agent,
      signal: AbortSignal.timeout(1_000),
    });
    await res.body.dump();
    return res.statusCode;
  };
  probe.close = () => agent.close();
  return probe;
}
