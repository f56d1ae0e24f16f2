import { mkdtempSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeconfigInvalidError } from './kubeconfig-invalid-error.js';
import { loadKubeConfig } from './load-kube-config.js';
import { resolveKubeConfig } from './resolve-kube-config.js';

function kubeconfig(dir: string, file: string, server: string, user: Record<string, unknown>): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      'clusters:',
      `- name: k\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${Buffer.from('CA').toString('base64')}`,
      `- name: other\n  cluster:\n    server: https://other:6443`,
      'users:',
      `- name: u\n  user: ${JSON.stringify(user)}`,
      'contexts:',
      '- name: c\n  context:\n    cluster: k\n    user: u\n    namespace: ns1',
      '- name: d\n  context:\n    cluster: other\n    user: u',
    ].join('\n'),
  );
  return path;
}

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));

  it('serves the current cluster and a bearer token without client-node', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'from-file\n');
    const file = kubeconfig(dir, 'a.yaml', 'https://127.0.0.1:6443/', { tokenFile: 'token' });
    const kc = loadKubeConfig({ kubeconfig: file, env: {} });
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443/');
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    expect(String(opts.ca)).toBe('CA');
    expect(opts.headers).toMatchObject({ Authorization: 'Bearer from-file' });
  });

  it('takes KUBECONFIG (the first file to name an entry wins) and --context', () => {
    const a = kubeconfig(dir, 'b.yaml', 'https://first:6443', { token: 't' });
    const b = kubeconfig(dir, 'c.yaml', 'https://second:6443', { token: 't' });
    expect(resolveKubeConfig({ env: { KUBECONFIG: `${a}:${b}` } }).cluster.server).toBe('https://first:6443');
    const d = resolveKubeConfig({ env: { KUBECONFIG: a }, context: 'd' });
    expect(d.cluster.server).toBe('https://other:6443');
    expect(d.namespace).toBe('default');
  });

  it('fails with KubeconfigInvalid, never quoting the file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'token: s3cret: [');
    expect(() => resolveKubeConfig({ kubeconfig: bad })).toThrow(KubeconfigInvalidError);
    expect(() => resolveKubeConfig({ kubeconfig: bad })).not.toThrow(/s3cret/);
    const file = kubeconfig(dir, 'd.yaml', 'https://x:1', { token: 't' });
    expect(() => resolveKubeConfig({ kubeconfig: file, context: 'missing' })).toThrow(/not found/);
    expect(() => resolveKubeConfig({ kubeconfig: join(dir, 'none') })).toThrow(/no such file/);
  });
});
