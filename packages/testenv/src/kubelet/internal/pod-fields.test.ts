import type { V1ContainerStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podFields, splitSteps } from './pod-fields.js';

const now = new Date('2026-01-01T00:00:00Z');
const running = (name: string, containerID: string, ready = true): V1ContainerStatus => ({
  name,
  image: 'app:v1',
  imageID: 'r/app@sha256:1',
  containerID,
  ready,
  restartCount: 0,
  state: { running: { startedAt: now } },
  lastState: {},
});

describe('podFields', () => {
  it.each<[string, V1ContainerStatus[], string, string]>([
    ['all running and ready', [running('a', 'c://1'), running('b', 'c://2')], 'Running', 'True'],
    ['one not ready', [running('a', 'c://1'), running('b', 'c://2', false)], 'Running', 'False'],
    [
      'one never started',
      [
        running('a', 'c://1'),
        {
          name: 'b',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        },
      ],
      'Pending',
      'False',
    ],
    [
      'one back-off after a previous run',
      [
        {
          name: 'a',
          image: 'x',
          imageID: 'r@sha256:1',
          containerID: 'c://1',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff' } },
          lastState: { terminated: { exitCode: 137 } },
        },
      ],
      'Running',
      'False',
    ],
  ])('%s', (_label, statuses, phase, ready) => {
    const f = podFields(statuses, undefined, [], now);
    expect(f.phase).toBe(phase);
    expect(f.conditions.find((c) => c.type === 'Ready')?.status).toBe(ready);
    expect(f.conditions.find((c) => c.type === 'ContainersReady')?.status).toBe(ready);
  });

  it('names the unready containers', () => {
    const f = podFields([running('a', 'c://1', false), running('b', 'c://2', false)], undefined, [], now);
    expect(f.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [a b]',
    });
  });

  it('keeps foreign conditions and the transition time of unchanged ones', () => {
    const earlier = new Date('2025-01-01T00:00:00Z');
    const previous = [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: earlier },
      { type: 'Ready', status: 'True', lastTransitionTime: earlier },
      { type: 'ContainersReady', status: 'False', lastTransitionTime: earlier },
    ];
    const f = podFields([running('a', 'c://1')], undefined, previous, now);
    expect(f.conditions.find((c) => c.type === 'PodScheduled')?.lastTransitionTime).toBe(earlier);
    expect(f.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(earlier);
    expect(f.conditions.find((c) => c.type === 'ContainersReady')?.lastTransitionTime).toBe(now);
  });

  it('reports an eviction', () => {
    const f = podFields(
      [running('a', 'c://1')],
      { phase: 'Failed', reason: 'Evicted', message: 'm', disruption: true },
      [],
      now,
    );
    expect(f).toMatchObject({ phase: 'Failed', reason: 'Evicted', message: 'm' });
    expect(f.conditions.find((c) => c.type === 'DisruptionTarget')?.reason).toBe('TerminationByKubelet');
    expect(f.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
  });
});

describe('splitSteps', () => {
  const before = running('a', 'c://old');
  const after = { ...running('a', 'c://new'), image: 'app:v2', imageID: 'r/app@sha256:2', restartCount: 1 };

  it('publishes imageID and restartCount first, then the containerID unready, then the final status', () => {
    const steps = splitSteps([before], [after]);
    expect(steps).toHaveLength(3);
    expect(steps[0]![0]).toMatchObject({
      containerID: 'c://old',
      imageID: 'r/app@sha256:2',
      restartCount: 1,
      ready: true,
    });
    expect(steps[1]![0]).toMatchObject({ containerID: 'c://new', ready: false });
    expect(steps[2]![0]).toEqual(after);
  });

  it('writes once when no container was replaced, and once on the first write', () => {
    expect(splitSteps([before], [{ ...before, ready: false }])).toHaveLength(1);
    expect(splitSteps(undefined, [after])).toEqual([[after]]);
  });

  it('leaves untouched containers alone in every step', () => {
    const sidecar = running('s', 'c://side');
    for (const step of splitSteps([before, sidecar], [after, sidecar])) expect(step[1]).toEqual(sidecar);
  });
});
