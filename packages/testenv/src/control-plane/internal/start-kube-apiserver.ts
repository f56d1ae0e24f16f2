import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from '../../internal/free-port.js';
import { hasDefaultRoute, localAdvertiseAddress } from './default-route.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { waitUntilReady } from './wait-until-ready.js';

/** What {@link startKubeApiServer} needs. */
export interface KubeApiServerParams {
  binary: string;
  /** Private folder for certs, the token file and the service-account key. */
  dir: string;
  logDir: string;
  etcdUrl: string;
  token: string;
  timeoutMs: number;
  extraArgs: readonly string[];
}

/** A running kube-apiserver: its URL, the CA of its self-signed serving certificate, and the process. */
export interface RunningKubeApiServer {
  server: string;
  caData: string;
  process: ManagedProcess;
}

/**
 * Starts kube-apiserver with envtest's flags and a static admin token, then waits
 * for `/readyz` (with the token: anonymous requests get 403 early) and for the
 * `default` namespace, which the server creates shortly after it is ready.
 */
export async function startKubeApiServer(p: KubeApiServerParams): Promise<RunningKubeApiServer> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const certDir = join(p.dir, 'certs');
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const tokens = join(p.dir, 'tokens.csv');
  writeFileSync(tokens, `${p.token},admin,admin,system:masters\n`, { mode: 0o600 });
  // One RSA key serves both service-account flags (public key for verification, private for signing).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const saKey = join(p.dir, 'sa.key');
  const saPub = join(p.dir, 'sa.pub');
  writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o600 });
  const args = [
    `--etcd-servers=${p.etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    `--token-auth-file=${tokens}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${server}/`,
    `--service-account-key-file=${saPub}`,
    `--service-account-signing-key-file=${saKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
  ];
  // Without a default route kube-apiserver cannot choose an advertise address on its own.
  if (!hasDefaultRoute()) {
    args.push(`--advertise-address=${localAdvertiseAddress()}`, '--endpoint-reconciler-type=none');
  }
  args.push(...p.extraArgs);
  const proc = startManagedProcess('kube-apiserver', p.binary, args, join(p.logDir, 'kube-apiserver.log'), [
    p.dir,
  ]);
  // Readiness is probed before the self-signed certificate can be trusted: loopback only.
  const probe = new Agent({ connect: { rejectUnauthorized: false } });
  const headers = { authorization: `Bearer ${p.token}` };
  const get = async (path: string) => {
    const res = await request(`${server}${path}`, { dispatcher: probe, headers, headersTimeout: 5_000 });
    await res.body.text();
    return res.statusCode === 200 ? true : undefined;
  };
  try {
    await waitUntilReady(
      proc,
      [
        ['kube-apiserver /readyz', () => get('/readyz')],
        ['the default namespace', () => get('/api/v1/namespaces/default')],
      ],
      { timeoutMs: p.timeoutMs },
    );
  } finally {
    await probe.close();
  }
  const caData = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
  return { server, caData, process: proc };
}
