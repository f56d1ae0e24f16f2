import { describe, expect, it } from 'vitest';
import { makePod } from '../test/pod-fixtures.js';
import { isConflictError } from './is-conflict-error.js';
import type { Pod } from './ports/pod.js';
import { FakeClock, InMemoryPodClient, PodConflictError } from './testing/index.js';
import { triggerUpdateWithOptions } from './trigger-update-with-options.js';

// SPEC 2.1 steps 7-8: one full update, 409s re-read and retried, everything else returned at once.
const deps = { clock: new FakeClock('2026-05-01T10:00:00Z') };

function setup(pod: Pod) {
  const client = new InMemoryPodClient([pod]);
  return { client, stored: () => client.peek('sandboxes', 'pool-a-1')! };
}

describe('triggerUpdateWithOptions writes and retries', () => {
  it('three conflicts then success → written once, returns the stored pod', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client, stored } = setup(pod);
    client.injectConflicts(3, (p) => {
      p.metadata!.annotations!['racer'] = 'was here';
    });
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'app:1' } },
      deps,
    );
    expect(client.writes).toBe(1);
    expect(client.replaceAttempts).toBe(4);
    expect(client.reads).toBe(4);
    expect(result).toEqual(stored());
    expect(result.metadata?.annotations?.['racer']).toBe('was here');
  });

  it('with disableRetry the first conflict is returned', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    client.injectConflicts(1);
    const promise = triggerUpdateWithOptions(client, pod, {
      containerImages: { sandbox: 'app:1' },
      disableRetry: true,
    });
    await expect(promise).rejects.toThrow(PodConflictError);
    await promise.catch((err) => expect(isConflictError(err)).toBe(true));
    expect(client.writes).toBe(0);
    expect(client.replaceAttempts).toBe(1);
  });

  it('gives up after five conflicting tries', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    client.injectConflicts(10);
    await expect(
      triggerUpdateWithOptions(client, pod, { containerImages: { sandbox: 'app:1' } }),
    ).rejects.toThrow(PodConflictError);
    expect(client.replaceAttempts).toBe(5);
  });

  it('returns any other error at once', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    const boom = Object.assign(new Error('etcd unavailable'), { code: 500 });
    client.injectFailure('replacePod', boom);
    await expect(
      triggerUpdateWithOptions(client, pod, { containerImages: { sandbox: 'app:1' } }),
    ).rejects.toBe(boom);
    expect(client.replaceAttempts).toBe(1);
  });

  it('nothing to change → no write at all', async () => {
    const pod = makePod({ phase: 'running', labels: { a: '1' }, annotations: { b: '2' } });
    const { client, stored } = setup(pod);
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      {
        containerImages: { sandbox: 'pause:3.10' },
        labels: { a: '1' },
        annotations: { b: '2' },
        removeLabels: ['zz'],
        targetPodPhase: 'running',
      },
      deps,
    );
    expect(client.replaceAttempts).toBe(0);
    expect(result).toEqual(stored());
  });

  it('stops before writing once the signal aborts', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      triggerUpdateWithOptions(
        client,
        pod,
        { containerImages: { sandbox: 'app:1' } },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('shutting down');
    expect(client.replaceAttempts).toBe(0);
  });

  it('aborting during the conflict back-off stops the retries', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    const controller = new AbortController();
    client.injectConflicts(1, () => controller.abort(new Error('stop')));
    await expect(
      triggerUpdateWithOptions(
        client,
        pod,
        { containerImages: { sandbox: 'app:1' } },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('stop');
    expect(client.replaceAttempts).toBe(1);
  });
});
