import { Writable } from 'node:stream';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient, type KubeRequest } from '../src/kube/kube-client.js';
import { eventsPath, secretsPath } from '../src/kube/kube-paths.js';
import { createEventRecorder } from '../src/observability/create-event-recorder.js';
import { createLogger } from '../src/observability/create-logger.js';
import { createSecretReader } from '../src/resolver/create-secret-reader.js';

interface CoreEvent {
  metadata: { name: string };
  involvedObject: { kind: string; name: string; uid?: string };
  reason: string;
  type: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string };
}

function counting(kube: KubeClient): KubeClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    ...kube,
    sent,
    request<T>(req: KubeRequest) {
      sent.push(`${req.method ?? 'GET'} ${req.path}`);
      return kube.request<T>(req);
    },
  };
}

describe('Events, logs and pull secrets against the real kube-apiserver', () => {
  const kc = kubeConfigFor(inject('controlPlane'));
  let kube: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    kube = await createKubeClient(kc);
    namespace = await createTestNamespace(kc, 'observability');
  });
  afterAll(async () => {
    await kube.close();
  });

  const events = async () =>
    (await kube.request<{ items: CoreEvent[] }>({ path: eventsPath(namespace) })).items;
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace, name, uid: `uid-${name}` });

  it('aggregates the same object + type + reason into one Event whose count grows; others get their own', async () => {
    const recorder = createEventRecorder(kube, { component: 'test-controller' });
    recorder.event(pod('a'), 'Warning', 'Pending', 'ImagePullBackOff: first');
    recorder.event(pod('a'), 'Warning', 'Pending', 'ImagePullBackOff: second');
    await recorder.flush();
    recorder.event(pod('a'), 'Warning', 'Pending', 'ImagePullBackOff: third');
    recorder.event(pod('a'), 'Normal', 'SandboxRunning', 'running');
    recorder.event(pod('b'), 'Warning', 'Pending', 'other pod');
    await recorder.flush();

    const all = await events();
    expect(all).toHaveLength(3);
    const pending = all.find((e) => e.involvedObject.name === 'a' && e.reason === 'Pending')!;
    expect(pending.count).toBe(3);
    expect(pending.message).toBe('ImagePullBackOff: third');
    expect(pending.type).toBe('Warning');
    expect(pending.involvedObject.uid).toBe('uid-a');
    expect(pending.source.component).toBe('test-controller');
    expect(pending.metadata.name.startsWith('a.')).toBe(true);
    expect(all.find((e) => e.reason === 'SandboxRunning')?.count).toBe(1);
    expect(all.find((e) => e.involvedObject.name === 'b')?.count).toBe(1);
  });

  it('writes in the background without blocking; a burst folds into few writes', async () => {
    const counted = counting(kube);
    const recorder = createEventRecorder(counted);
    for (let i = 0; i < 200; i++) recorder.event(pod('burst'), 'Normal', 'ScalingUp', `step ${i}`);
    expect(counted.sent.length).toBeLessThanOrEqual(1); // nothing awaited: at most the first write is sent
    await recorder.flush();
    const burst = (await events()).filter((e) => e.involvedObject.name === 'burst');
    expect(burst).toHaveLength(1);
    expect(burst[0]!.count).toBe(200);
    expect(burst[0]!.message).toBe('step 199');
    // One create, then the repeats that arrived while it was in flight fold into one patch.
    expect(counted.sent.length).toBeLessThanOrEqual(3);
  });

  it('recreates an Event that expired, never throws, and drops beyond its bound', async () => {
    const recorder = createEventRecorder(kube, { maxPending: 2 });
    recorder.event(pod('gone'), 'Normal', 'PoolReady', 'ready');
    await recorder.flush();
    const [first] = (await events()).filter((e) => e.involvedObject.name === 'gone');
    await kube.request({ method: 'DELETE', path: eventsPath(namespace, first!.metadata.name) });
    recorder.event(pod('gone'), 'Normal', 'PoolReady', 'ready again');
    await recorder.flush();
    const again = (await events()).filter((e) => e.involvedObject.name === 'gone');
    expect(again).toHaveLength(1);
    expect(again[0]!.message).toBe('ready again');

    // A namespace that does not exist: the writes fail, the recorder only logs.
    const lost = { ...pod('x'), namespace: 'no-such-namespace-here' };
    const warnings: string[] = [];
    const failing = createEventRecorder(kube, {
      maxPending: 2,
      logger: {
        debug() {},
        info() {},
        warn: (_o, msg) => warnings.push(msg ?? ''),
        error() {},
        child() {
          return this;
        },
      },
    });
    const accepted: boolean[] = [];
    for (let i = 0; i < 5; i++)
      expect(() =>
        accepted.push(failing.event({ ...lost, name: `x${i}` }, 'Normal', 'R', 'm')),
      ).not.toThrow();
    // The caller learns which were dropped, so it can record them again.
    expect(accepted).toEqual([true, true, false, false, false]);
    await failing.flush();
    expect(warnings.filter((w) => w === 'event not written')).toHaveLength(2);
    expect(warnings).toContain('too many events waiting; event dropped');
  });

  it('logs pino JSON lines with the given fields and censors credential-looking ones', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    logger
      .child({ namespace: 'ns', pool: 'p' })
      .info(
        { pod: 'p-1', sandboxId: 's', token: 'hunter2', headers: { authorization: 'Bearer x' } },
        'transition',
      );
    logger.debug({ password: 'pw' }, 'debug line');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      level: 'info',
      namespace: 'ns',
      pool: 'p',
      pod: 'p-1',
      sandboxId: 's',
      msg: 'transition',
    });
    expect(typeof first.time).toBe('string');
    expect(lines.join('')).not.toContain('hunter2');
    expect(lines.join('')).not.toContain('Bearer x');
    expect(lines.join('')).not.toContain('"pw"');
  });

  it('reads a pull secret once per TTL (concurrent reads share the GET), and a missing one as undefined', async () => {
    await kube.request({
      method: 'POST',
      path: secretsPath(namespace),
      body: {
        metadata: { name: 'regcred' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
      },
    });
    let now = 0;
    const counted = counting(kube);
    const reader = createSecretReader(counted, { ttlMs: 1_000, nowMs: () => now });
    const reads = await Promise.all(Array.from({ length: 50 }, () => reader.getSecret(namespace, 'regcred')));
    expect(reads[0]?.type).toBe('kubernetes.io/dockerconfigjson');
    expect(counted.sent.filter((s) => s.includes('/secrets/regcred'))).toHaveLength(1);
    now = 500;
    await reader.getSecret(namespace, 'regcred');
    expect(counted.sent.filter((s) => s.includes('/secrets/regcred'))).toHaveLength(1);
    now = 1_500;
    await reader.getSecret(namespace, 'regcred');
    expect(counted.sent.filter((s) => s.includes('/secrets/regcred'))).toHaveLength(2);
    expect(await reader.getSecret(namespace, 'missing')).toBeUndefined();
  });
});
