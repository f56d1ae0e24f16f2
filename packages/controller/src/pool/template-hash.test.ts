import { describe, expect, it } from 'vitest';
import { testPool } from './internal/test-pods.js';
import { effectiveIdleImage, onlyIdleImageChanged, templateHashOf } from './template-hash.js';

describe('templateHashOf', () => {
  it('is stable, a valid label value, and independent of key order', () => {
    const a = templateHashOf(testPool());
    const reordered = testPool({
      template: {
        spec: {
          containers: [
            { image: 'work:1', name: 'main' },
            { image: 'side:1', name: 'side' },
          ],
        },
      },
    });
    expect(templateHashOf(reordered)).toEqual(a);
    expect(a.value).toMatch(/^[0-9a-f]{10}-[0-9a-f]{10}$/);
    expect(templateHashOf(testPool())).toEqual(a);
  });

  it('tells an idle image change apart from a template change', () => {
    const base = templateHashOf(testPool());
    const newIdle = templateHashOf(testPool({ idleImage: 'idle:2' }));
    const newSidecar = templateHashOf(
      testPool({
        template: {
          spec: {
            containers: [
              { name: 'main', image: 'work:1' },
              { name: 'side', image: 'side:2' },
            ],
          },
        },
      }),
    );
    expect(newIdle.spec).toBe(base.spec);
    expect(newIdle.image).not.toBe(base.image);
    expect(onlyIdleImageChanged(base.value, newIdle)).toBe(true);
    expect(newSidecar.spec).not.toBe(base.spec);
    expect(onlyIdleImageChanged(base.value, newSidecar)).toBe(false);
    expect(onlyIdleImageChanged(newIdle.value, newIdle)).toBe(false);
    expect(onlyIdleImageChanged(undefined, newIdle)).toBe(false);
  });

  it('ignores the template image of container 0 under IdleImage, counts it under PoolDefaultImage', () => {
    const workload = testPool({
      template: {
        spec: {
          containers: [
            { name: 'main', image: 'work:2' },
            { name: 'side', image: 'side:1' },
          ],
        },
      },
    });
    expect(templateHashOf(workload)).toEqual(templateHashOf(testPool()));
    const a = templateHashOf(testPool({ podCreationImagePolicy: 'PoolDefaultImage' }));
    const b = templateHashOf({
      ...workload,
      spec: { ...workload.spec!, podCreationImagePolicy: 'PoolDefaultImage' },
    });
    expect(a.spec).not.toBe(b.spec);
  });

  it('uses the template image when the pool has no idle image', () => {
    expect(effectiveIdleImage(testPool({ idleImage: '' }))).toBe('work:1');
    expect(effectiveIdleImage(testPool())).toBe('idle:1');
  });
});
