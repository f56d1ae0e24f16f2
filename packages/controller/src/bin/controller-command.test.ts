import { KubeConfig } from '@kubernetes/client-node';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.js';
import {
  addControllerFlags,
  type ControllerFlags,
  controllerOptionsFromFlags,
  InvalidControllerFlagsError,
} from './controller-command.js';

function parse(argv: string[]): ControllerFlags {
  const command = addControllerFlags(new Command('t')).exitOverride();
  command.parse(argv, { from: 'user' });
  return command.opts<ControllerFlags>();
}

describe('the controller flags', () => {
  it("has the contract's defaults", () => {
    expect(parse([])).toMatchObject({
      leaderElect: false,
      leaderElectionId: 'agentbox-controller',
      metricsBindAddress: ':8080',
      healthProbeBindAddress: ':8081',
      concurrency: 8,
      logLevel: 'info',
      resolver: 'registry',
      resolverCacheTtl: 60_000,
    });
  });

  it('parses durations, counts and choices; rejects bad ones', () => {
    expect(parse(['--resolver-cache-ttl', '1m30s', '--concurrency', '3']).resolverCacheTtl).toBe(90_000);
    expect(parse(['--resolver', 'docker-registry-client']).resolver).toBe('docker-registry-client');
    expect(() => parse(['--resolver-cache-ttl', 'soon'])).toThrow();
    expect(() => parse(['--concurrency', '0'])).toThrow();
    expect(() => parse(['--resolver', 'other'])).toThrow();
    expect(() => parse(['--log-level', 'loud'])).toThrow();
  });

  it('maps flags to ControllerOptions; the Lease namespace comes from the flag, POD_NAMESPACE or --namespace', () => {
    const kc = new KubeConfig();
    const flags = parse([
      '--leader-elect',
      '--namespace',
      'ns',
      '--metrics-bind-address',
      '',
      '--docker-config',
      '/c',
    ]);
    const o = controllerOptionsFromFlags(flags, kc, silentLogger, { POD_NAMESPACE: 'system' });
    expect(o).toMatchObject({
      namespace: 'ns',
      metricsAddress: '',
      healthAddress: ':8081',
      dockerConfigPath: '/c',
      resolverCacheTtlMs: 60_000,
      leaderElection: { enabled: true, leaseName: 'agentbox-controller', leaseNamespace: 'system' },
    });
    expect(controllerOptionsFromFlags(flags, kc, silentLogger, {}).leaderElection?.leaseNamespace).toMatch(
      /.+/,
    );
    expect(() => controllerOptionsFromFlags(parse(['--leader-elect']), kc, silentLogger, {})).toThrow(
      InvalidControllerFlagsError,
    );
  });
});
