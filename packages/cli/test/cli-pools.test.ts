import { spawn } from 'node:child_process';
import { poolsPath, type SandboxPool } from '@agentbox/controller';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allOutput, type CliFixture, startCliFixture, tableOf } from './cli-harness.js';

const poolColumns = [
  'NAME',
  'PHASE',
  'REPLICAS',
  'IDLE',
  'UNAVAIL',
  'RUNNING',
  'STARTING',
  'STOPPING',
  'FAILED',
  'AGE',
];

interface List<T> {
  kind: string;
  items: T[];
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('agentbox pools commands, as a child process against the real control plane and a running controller', () => {
  let fx: CliFixture;

  beforeAll(async () => {
    fx = await startCliFixture('cli-pools');
  });
  afterAll(async () => {
    await fx?.close();
  });

  const create = (name: string, replicas: number, extra: string[] = []) =>
    fx.agentbox([
      'create',
      'pool',
      name,
      '--image',
      fx.images.app,
      '--idle-image',
      fx.images.idle,
      '--replicas',
      String(replicas),
      ...extra,
    ]);

  /** Waits, through the CLI's own watch (-w -o name streams nothing useful), by re-reading with kubectl-like gets. */
  async function untilIdle(name: string, idle: number): Promise<SandboxPool> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const r = await fx.agentbox(['get', 'pools', name, '-o', 'json']);
      const pool = JSON.parse(r.stdout) as SandboxPool;
      // Settled: the idle pods counted and ready too (the status is written once pods are idle, and again once
      // they are ready; a reconcile follows pod events by 100 ms).
      const s = pool.status;
      if (s?.idleReplicas === idle && s.phase === 'Ready' && (s.unavailableIdleReplicas ?? 0) === 0)
        return pool;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`pool ${name} never had ${idle} idle pods`);
  }

  it('create pool → the kubectl-style line, the object in the API, then a table with the CRD print columns', async () => {
    const r = await create('web', 2, ['--startup-timeout', '90s', '--container', 'side=' + fx.images.app2]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('sandboxpool.agents.navix.sh/web created\n');
    const api = fx.kc.makeApiClient(CustomObjectsApi);
    const obj = (await api.getNamespacedCustomObject({
      group: 'agents.navix.sh',
      version: 'v1alpha1',
      namespace: fx.namespace,
      plural: 'sandboxpools',
      name: 'web',
    })) as SandboxPool;
    expect(obj.spec).toMatchObject({
      replicas: 2,
      idleImage: fx.images.idle,
      defaultStartupTimeout: '1m30s',
      template: {
        spec: {
          containers: [
            { name: 'main', image: fx.images.app },
            { name: 'side', image: fx.images.app2 },
          ],
        },
      },
    });

    await untilIdle('web', 2);
    const table = await fx.agentbox(['get', 'pools']);
    expect(table.code).toBe(0);
    const rows = tableOf(table.stdout);
    expect(rows[0]).toEqual(poolColumns);
    expect(rows[1]).toEqual([
      'web',
      'Ready',
      '2',
      '2',
      '0',
      '0',
      '0',
      '0',
      '0',
      expect.stringMatching(/^\d+s$/),
    ]);
    // Three spaces between columns, as kubectl prints them.
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME {3}PHASE {3}REPLICAS {3}IDLE/);

    const wide = tableOf((await fx.agentbox(['get', 'pools', '-o', 'wide'])).stdout);
    expect(wide[0]).toEqual([...poolColumns, 'IDLE-IMAGE', 'TEMPLATE-HASH']);
    expect(wide[1]?.[10]).toBe(fx.images.idle);
    expect(wide[1]?.[11]).toMatch(/^[0-9a-f]{10}-[0-9a-f]{10}$/);

    const all = tableOf((await fx.agentbox(['get', 'pools', '-A'])).stdout);
    expect(all[0]?.slice(0, 2)).toEqual(['NAMESPACE', 'NAME']);
    expect(all.some((row) => row[0] === fx.namespace && row[1] === 'web')).toBe(true);
  });

  it('-o json, -o yaml and -o name print the same pools kubectl get sbp shows', async () => {
    await create('api', 1);
    const json = JSON.parse((await fx.agentbox(['get', 'pools', '-o', 'json'])).stdout) as List<SandboxPool>;
    expect(json.kind).toBe('List');
    const yaml = parse((await fx.agentbox(['get', 'pools', '-o', 'yaml'])).stdout) as List<SandboxPool>;
    const kubectl = await fx.kubectl(['get', 'sbp', '-o', 'json']);
    expect(kubectl.code).toBe(0);
    const fromKubectl = JSON.parse(kubectl.stdout) as List<SandboxPool>;
    const ids = (l: List<SandboxPool>) => l.items.map((p) => `${p.metadata?.name}/${p.metadata?.uid}`).sort();
    expect(ids(json)).toEqual(ids(fromKubectl));
    expect(ids(yaml)).toEqual(ids(fromKubectl));
    expect(ids(json)).toHaveLength(2);
    // Same spec as kubectl sees, and no managedFields (kubectl hides them too).
    for (const p of json.items) {
      const k = fromKubectl.items.find((x) => x.metadata?.uid === p.metadata?.uid);
      expect(p.spec).toEqual(k?.spec);
      expect((p.metadata as { managedFields?: unknown }).managedFields).toBeUndefined();
    }
    const one = JSON.parse((await fx.agentbox(['get', 'pools', 'api', '-o', 'json'])).stdout) as SandboxPool;
    expect(one.metadata?.name).toBe('api');
    expect((await fx.agentbox(['get', 'pools', '-o', 'name'])).stdout).toBe(
      'sandboxpool.agents.navix.sh/api\nsandboxpool.agents.navix.sh/web\n',
    );
    // kubectl's own table of the CRD's print columns has the same headers.
    const kTable = tableOf((await fx.kubectl(['get', 'sbp'])).stdout);
    expect(kTable[0]).toEqual(poolColumns);
  });

  it('-l selects by label; an unknown pool is one error line and exit 1', async () => {
    await fx.kubectl(['label', 'sbp', 'api', 'team=a']);
    expect(tableOf((await fx.agentbox(['get', 'pools', '-l', 'team=a'])).stdout).map((r) => r[0])).toEqual([
      'NAME',
      'api',
    ]);
    const missing = await fx.agentbox(['get', 'pools', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      `error: get pool nope: sandboxpool "nope" not found in namespace ${fx.namespace}\n`,
    );
    const none = await fx.agentbox(['get', 'pools', '-l', 'team=none']);
    expect(none).toMatchObject({
      code: 0,
      stdout: '',
      stderr: `No resources found in ${fx.namespace} namespace.\n`,
    });
    const dup = await create('api', 1);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^error: create pool api: .*already exists\n$/);
  });

  it('agentbox scale pool and kubectl scale sbp both go through the scale subresource', async () => {
    const ours = await fx.agentbox(['-v', 'scale', 'pool', 'api', '--replicas', '3']);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe('sandboxpool.agents.navix.sh/api scaled\n');
    expect(ours.stderr).toContain(
      `PATCH ${fx.kc.getCurrentCluster()?.server}${poolsPath(fx.namespace, 'api', 'scale')}`,
    );
    await untilIdle('api', 3);

    const theirs = await fx.kubectl(['-v=6', 'scale', 'sbp', 'api', '--replicas=2']);
    expect(theirs.code).toBe(0);
    expect(theirs.stderr).toContain(`${poolsPath(fx.namespace, 'api', 'scale')}`);
    const pool = await untilIdle('api', 2);
    expect(pool.spec?.replicas).toBe(2);
    const scaleOf = JSON.parse(
      (await fx.kubectl(['get', '--raw', poolsPath(fx.namespace, 'api', 'scale')])).stdout,
    );
    expect(scaleOf).toMatchObject({ kind: 'Scale', spec: { replicas: 2 } });
  });

  it('describe pool: spec, status, pods by phase and Events', async () => {
    const r = await fx.agentbox(['describe', 'pool', 'web']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: +web$/m);
    expect(r.stdout).toMatch(new RegExp(`^Namespace: +${fx.namespace}$`, 'm'));
    expect(r.stdout).toMatch(/^Replicas: +2 desired$/m);
    expect(r.stdout).toContain(`Idle Image:       ${fx.images.idle}`);
    expect(r.stdout).toMatch(/^ {2}PHASE +COUNT +PODS$/m);
    expect(r.stdout).toMatch(/^ {2}idle +2 +web-/m);
    expect(r.stdout).toMatch(/^Events:/m);
  });

  it('create --dry-run=client prints the object and creates nothing; --dry-run=server validates', async () => {
    const client = await create('dry', 1, ['--dry-run=client', '-o', 'yaml']);
    expect(client.code).toBe(0);
    expect(parse(client.stdout)).toMatchObject({
      kind: 'SandboxPool',
      metadata: { name: 'dry' },
      spec: { replicas: 1 },
    });
    const server = await create('dry', 1, ['--dry-run=server']);
    expect(server.stdout).toBe('sandboxpool.agents.navix.sh/dry created (server dry run)\n');
    expect((await fx.agentbox(['get', 'pools', 'dry'])).code).toBe(1);
  });

  it('usage errors exit 2: an unknown flag, a missing required flag, a bad count, a bad output format', async () => {
    for (const args of [
      ['get', 'pools', '--bogus'],
      ['create', 'pool', 'x', '--idle-image', 'i'],
      ['scale', 'pool', 'x', '--replicas', 'many'],
      ['get', 'pools', '-o', 'xml'],
      ['claim', 'web', '--timeout', '5 minutes'],
      ['frobnicate'],
    ]) {
      const r = await fx.agentbox(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^error: /);
      expect(r.stdout).toBe('');
    }
  });

  it('delete pool --wait returns once the pool and its pods are gone', async () => {
    const r = await fx.agentbox(['delete', 'pool', 'web', '--wait', '--timeout', '60s'], {
      timeoutMs: 90_000,
    });
    expect(r).toMatchObject({ code: 0, stdout: 'sandboxpool.agents.navix.sh/web deleted\n' });
    expect((await fx.agentbox(['get', 'pools', 'web'])).code).toBe(1);
    const pods = await fx.kubectl(['get', 'pods', '-l', 'agentbox.navix.sh/sandbox-pool=web', '-o', 'name']);
    expect(pods.stdout).toBe('');
  });

  it('get pools -w prints the table, then one row per change (kubectl -w), until interrupted', async () => {
    const child = spawn(process.execPath, [fx.bin, '--kubeconfig', fx.kubeconfigPath, 'get', 'pools', '-w'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => out.startsWith('NAME '), 20_000);
      await create('watched', 1);
      await until(() => /^watched +\S+ +1 +1 /m.test(out), 30_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).not.toBeNull();
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('NAME '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('watched ')).length).toBeGreaterThanOrEqual(2);
    allOutput.push(out);
  });

  it('never prints the kubeconfig token', () => {
    expect(allOutput.join('\n')).not.toContain(fx.token);
  });
});
