import { describe, expect, it } from 'vitest';
import {
  InvalidLeaderElectionOptionsError,
  resolveLeaderElectionOptions,
} from './leader-election-options.js';

describe('resolveLeaderElectionOptions', () => {
  it("applies client-go's defaults and a hostname_uuid identity", () => {
    const o = resolveLeaderElectionOptions({ enabled: true, leaseName: 'l', leaseNamespace: 'ns' });
    expect(o).toMatchObject({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(o.identity).toMatch(/^.+_[0-9a-f-]{36}$/);
    expect(
      resolveLeaderElectionOptions({ enabled: true, leaseName: 'l', leaseNamespace: 'ns' }).identity,
    ).not.toBe(o.identity);
  });

  it.each([
    [{ leaseName: '' }, /leaseName/],
    [{ leaseDurationMs: 10_000 }, /leaseDurationMs must be greater/],
    [{ renewDeadlineMs: 2_000 }, /renewDeadlineMs must be greater/],
    [{ leaseDurationMs: 900, renewDeadlineMs: 500, retryPeriodMs: 100 }, /at least 1000/],
  ])('rejects %o', (override, message) => {
    expect(() =>
      resolveLeaderElectionOptions({ enabled: true, leaseName: 'l', leaseNamespace: 'ns', ...override }),
    ).toThrow(InvalidLeaderElectionOptionsError);
    expect(() =>
      resolveLeaderElectionOptions({ enabled: true, leaseName: 'l', leaseNamespace: 'ns', ...override }),
    ).toThrow(message);
  });
});
