// The structural Pod and isConflictError against the real @kubernetes/client-node 1.4 types and values.
import { ApiException, type V1Pod } from '@kubernetes/client-node';
// What client-node's loadYaml and dumpYaml call around their YAML parser (the repository's one YAML
// library is `yaml`; here no YAML is involved at all).
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { describe, expect, it } from 'vitest';
import {
  getPodPhaseSince,
  getSandboxPhase,
  isConflictError,
  type Pod,
  SandboxPhaseLabelKey,
  triggerUpdateWithOptions,
} from '../src/index.js';
import { FakeClock, InMemoryPodClient } from '../src/testing/index.js';

// As kube-apiserver sends it; client-node turns the timestamps into Dates.
const wire = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'ns',
    resourceVersion: '7',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { [SandboxPhaseLabelKey]: 'idle' },
  },
  spec: { containers: [{ name: 'sandbox', image: 'pause:3.10' }] },
  status: {
    phase: 'Running',
    startTime: '2026-01-01T00:00:01Z',
    containerStatuses: [
      { name: 'sandbox', image: 'pause:3.10', imageID: 'x', containerID: 'c', ready: true, restartCount: 0 },
    ],
  },
};

describe('@kubernetes/client-node 1.4 compatibility', () => {
  const v1 = ObjectSerializer.deserialize(wire, 'V1Pod') as V1Pod; // as the typed client reads a response
  // Compile-time proof: a V1Pod is a Pod as is.
  const pod: Pod = v1;

  it('reads a deserialized V1Pod, Date timestamps included', () => {
    expect(v1.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(getSandboxPhase(pod)).toBe('idle');
    expect(getPodPhaseSince(pod, 'idle')).toEqual({ since: new Date('2026-01-01T00:00:00Z'), ok: true });
  });

  it('keeps the fields it does not know, and its Dates, on a write', async () => {
    const client = new InMemoryPodClient([v1]);
    const result = await triggerUpdateWithOptions(
      client,
      v1,
      { containerImages: { sandbox: 'app:1' } },
      { clock: new FakeClock() },
    );
    expect(result.status?.containerStatuses?.[0]).toMatchObject({ ready: true });
    expect((result as V1Pod).status?.startTime).toEqual(new Date('2026-01-01T00:00:01Z'));
    expect(ObjectSerializer.serialize(result, 'V1Pod')).toMatchObject({
      spec: { containers: [{ image: 'app:1' }] },
      status: { startTime: '2026-01-01T00:00:01.000Z' },
    });
  });

  it('recognises the ApiException of a 409, and only that', () => {
    const body = JSON.stringify({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(isConflictError(new ApiException(409, 'HTTP-Code: 409', body, {}))).toBe(true);
    expect(isConflictError(new ApiException(422, 'HTTP-Code: 422', '{}', {}))).toBe(false);
  });
});
