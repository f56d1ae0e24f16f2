import { describe, expect, it } from 'vitest';
import { makePod, type TestContainer } from '../test/pod-fixtures.js';
import { InvalidStateError } from './errors/invalid-state-error.js';
import { explainUpdate } from './explain-update.js';
import { isInplaceUpdateCompleted } from './is-inplace-update-completed.js';
import { fakeDigest, SeededDigestResolver } from './testing/index.js';

const NEW = fakeDigest('new');
const OLD = fakeDigest('old');
const resolver = () => new SeededDigestResolver({ digests: { 'app:v1': NEW } });

const pod = (
  containers: TestContainer[],
  last: Record<string, { containerID?: string }>,
  targets: Record<string, string>,
) =>
  makePod({
    phase: 'starting',
    containers,
    state: {
      phase: 'starting',
      targetImages: targets,
      targetPodPhase: 'running',
      lastContainerStatuses: last,
    },
  });

describe('explainUpdate (SPEC 2.6)', () => {
  it('no pending update → completed, no containers', async () => {
    expect(await explainUpdate(makePod({ name: 'p', namespace: 'n' }), resolver())).toEqual({
      pod: 'n/p',
      completed: true,
      containers: [],
    });
    const done = makePod({ state: { phase: 'completed', targetPodPhase: 'running' } });
    expect(await explainUpdate(done, resolver())).toMatchObject({
      completed: true,
      phase: 'completed',
      targetPodPhase: 'running',
    });
  });

  it('explains every container, each with what it awaits', async () => {
    const p = pod(
      [
        { name: 'spec-edited', image: 'app:v9', containerID: 'x' },
        { name: 'no-status', image: 'app:v1', imageID: null },
        {
          name: 'pulling',
          image: 'app:v1',
          imageID: `pause@${OLD}`,
          containerID: 'same',
          state: { waiting: { reason: 'ErrImagePull', message: 'not found' } },
        },
        { name: 'no-digest', image: 'app:v1', imageID: '', containerID: 'n' },
        { name: 'unresolvable', image: 'gone:1', imageID: `gone@${OLD}`, containerID: 'n' },
        { name: 'old-digest', image: 'app:v1', imageID: `app@${OLD}`, containerID: 'n' },
        { name: 'ready', image: 'app:v1', imageID: `app@${NEW}`, containerID: 'n' },
        { name: 'untouched', image: 'side:1', containerID: 's' },
      ],
      {
        'spec-edited': {},
        'no-status': {},
        pulling: { containerID: 'same' },
        'no-digest': {},
        unresolvable: {},
        'old-digest': {},
        ready: { containerID: 'o' },
        'not-in-spec': {},
      },
      { 'spec-edited': 'app:v1', 'no-status': 'app:v1', pulling: 'app:v1', untouched: 'side:1' },
    );
    const r = resolver();
    r.setConfigDigest(OLD, fakeDigest('cfg-old'));
    r.setConfigDigest(NEW, fakeDigest('cfg-new'));
    const explanation = await explainUpdate(p, r);
    expect(explanation.completed).toBe(false);
    expect(await isInplaceUpdateCompleted(p, r)).toBe(false);
    const byName = Object.fromEntries(explanation.containers.map((c) => [c.container, c]));
    expect(Object.keys(byName)).toEqual([
      'spec-edited',
      'no-status',
      'pulling',
      'untouched',
      // then the rest of lastContainerStatuses, in the annotation's (sorted) order
      'no-digest',
      'not-in-spec',
      'old-digest',
      'ready',
      'unresolvable',
    ]);
    expect(byName['spec-edited']).toMatchObject({
      done: false,
      reason: 'SpecNotAtTarget',
      specImage: 'app:v9',
      targetImage: 'app:v1',
    });
    expect(byName['no-status']).toMatchObject({ done: false, reason: 'NoStatus' });
    expect(byName['pulling']).toMatchObject({
      done: false,
      reason: 'ContainerIDUnchanged',
      waiting: { reason: 'ErrImagePull', message: 'not found' },
    });
    expect(byName['pulling']?.message).toContain('ErrImagePull');
    expect(byName['untouched']).toMatchObject({ done: true });
    expect(byName['no-digest']).toMatchObject({ done: false, reason: 'InvalidImageID' });
    expect(byName['no-digest']?.error).toBeInstanceOf(Error);
    expect(byName['unresolvable']).toMatchObject({
      done: false,
      reason: 'ResolverError',
      runningDigest: OLD,
    });
    expect(byName['unresolvable']?.message).toContain('gone:1');
    expect(byName['old-digest']).toMatchObject({
      done: false,
      reason: 'DigestMismatch',
      runningDigest: OLD,
      targetDigest: NEW,
    });
    expect(byName['ready']).toMatchObject({ done: true, runningDigest: NEW, targetDigest: NEW });
    expect(byName['not-in-spec']).toMatchObject({ done: false, reason: 'ContainerNotInSpec' });
  });

  it('reports a config-digest match as done', async () => {
    const p = pod(
      [{ name: 's', image: 'app:v1', imageID: `app@${OLD}`, containerID: 'n' }],
      { s: {} },
      { s: 'app:v1' },
    );
    const r = resolver();
    r.setConfigDigest(OLD, fakeDigest('cfg'));
    r.setConfigDigest(NEW, fakeDigest('cfg'));
    const [container] = (await explainUpdate(p, r)).containers;
    expect(container).toMatchObject({ done: true });
    expect(container?.message).toContain('same config');
  });

  it('describes a resolver that throws a non-Error', async () => {
    const p = pod(
      [{ name: 's', image: 'app:v1', imageID: `app@${OLD}`, containerID: 'n' }],
      { s: {} },
      { s: 'app:v1' },
    );
    const r = resolver();
    r.fail('app:v1', 'plain string failure');
    const [container] = (await explainUpdate(p, r)).containers;
    expect(container).toMatchObject({ reason: 'ResolverError', error: 'plain string failure' });
    expect(container?.message).toContain('plain string failure');
  });

  it('a malformed state → InvalidStateError', async () => {
    await expect(explainUpdate(makePod({ state: '[]' }), resolver())).rejects.toThrow(InvalidStateError);
  });
});
