import { describe, expect, it } from 'vitest';
import { makePod } from '../test/pod-fixtures.js';
import { hasUnexpectedRestart } from './has-unexpected-restart.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';

const completed = (
  stable: InplaceUpdateState['stableContainerStatuses'],
  extra: Partial<InplaceUpdateState> = {},
) =>
  ({
    phase: 'completed',
    targetPodPhase: 'running',
    stableContainerStatuses: stable,
    ...extra,
  }) as InplaceUpdateState;

function pod(state: InplaceUpdateState | string | undefined, sandbox = 'c-1', restartCount = 0) {
  return makePod({
    phase: 'running',
    containers: [
      { name: 'sandbox', image: 'app:1', containerID: sandbox, restartCount },
      { name: 'sidecar', image: 'proxy:1', containerID: 'side-9' },
    ],
    ...(state === undefined ? {} : { state }),
  });
}

describe('hasUnexpectedRestart (SPEC 2.4)', () => {
  it.each([
    [
      'stable containerID equals the status',
      pod(completed({ sandbox: { containerID: 'c-1', restartCount: 0 } })),
      false,
    ],
    [
      'a higher restartCount alone',
      pod(completed({ sandbox: { containerID: 'c-1', restartCount: 0 } }), 'c-1', 5),
      false,
    ],
    [
      'a different containerID',
      pod(completed({ sandbox: { containerID: 'c-1', restartCount: 0 } }), 'c-2'),
      true,
    ],
    ['an empty stable containerID', pod(completed({ sandbox: { restartCount: 0 } }), 'c-2'), false],
    [
      'a sidecar not in the snapshot',
      pod(completed({ sandbox: { containerID: 'c-1', restartCount: 0 } })),
      false,
    ],
    [
      'a snapshot container missing from the status',
      pod(completed({ gone: { containerID: 'g', restartCount: 0 } })),
      false,
    ],
    [
      'state not completed',
      pod(completed({ sandbox: { containerID: 'x', restartCount: 0 } }, { phase: 'starting' })),
      false,
    ],
    [
      'target not running',
      pod(completed({ sandbox: { containerID: 'x', restartCount: 0 } }, { targetPodPhase: 'idle' })),
      false,
    ],
    ['no snapshot', pod(completed(undefined)), false],
    ['no state', pod(undefined, 'c-2'), false],
    ['a malformed state (describes, never throws)', pod('{"phase":'), false],
  ])('%s → %s', (_name, p, expected) => {
    expect(hasUnexpectedRestart(p)).toBe(expected);
  });

  it('a container that lost its containerID counts as replaced', () => {
    const p = pod(completed({ sandbox: { containerID: 'c-1', restartCount: 0 } }));
    delete p.status!.containerStatuses![0]!.containerID;
    expect(hasUnexpectedRestart(p)).toBe(true);
  });
});
