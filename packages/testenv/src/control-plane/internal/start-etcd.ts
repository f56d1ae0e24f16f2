import { join } from 'node:path';
import { request } from 'undici';
import { freePorts } from '../../internal/free-port.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { waitUntilReady } from './wait-until-ready.js';

/** A running etcd: its client URL and process. */
export interface RunningEtcd {
  url: string;
  process: ManagedProcess;
}

/** Starts a single-member etcd on free loopback ports and waits until `GET /health` is 200. */
export async function startEtcd(
  binary: string,
  dataDir: string,
  logDir: string,
  timeoutMs: number,
): Promise<RunningEtcd> {
  const [clientPort, peerPort] = await freePorts(2);
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--initial-cluster-state=new',
    // A throw-away store on tmpfs: durability buys nothing and fsync costs seconds.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
  const proc = startManagedProcess('etcd', binary, args, join(logDir, 'etcd.log'), [dataDir]);
  await waitUntilReady(
    proc,
    [
      [
        'etcd /health',
        async () => {
          const res = await request(`${url}/health`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
          const body = (await res.body.json()) as { health?: string };
          return res.statusCode === 200 && body.health === 'true' ? true : undefined;
        },
      ],
    ],
    { timeoutMs, intervalMs: 50 },
  );
  return { url, process: proc };
}
