import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadKubeConfig } from './load-kube-config.js';

const dir = mkdtempSync(join(tmpdir(), 'agentbox-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : stringify(content));
  return path;
}

const a = file('a', {
  'current-context': 'one',
  clusters: [{ name: 'c1', cluster: { server: 'https://one:6443', 'certificate-authority': 'ca.pem' } }],
  users: [{ name: 'u1', user: { token: 'secret-token-1', 'client-key': 'keys/k.pem' } }],
  contexts: [
    { name: 'one', context: { cluster: 'c1', user: 'u1', namespace: 'team-a' } },
    { name: 'two', context: { cluster: 'c2', user: 'u2' } },
  ],
});
const b = file('b', {
  'current-context': 'two',
  clusters: [
    { name: 'c1', cluster: { server: 'https://ignored:6443' } },
    { name: 'c2', cluster: { server: 'https://two:6443' } },
  ],
  users: [{ name: 'u2', user: { tokenFile: '/var/token' } }],
  contexts: [],
});

describe('loadKubeConfig (kubectl rules, no client-node)', () => {
  it('--kubeconfig: the current context, its namespace, paths relative to the file', () => {
    const c = loadKubeConfig({ kubeconfig: a, env: {} });
    expect(c).toMatchObject({
      contextName: 'one',
      namespace: 'team-a',
      cluster: { server: 'https://one:6443' },
    });
    expect(c.cluster['certificate-authority']).toBe(join(dir, 'ca.pem'));
    expect(c.user['client-key']).toBe(join(dir, 'keys/k.pem'));
  });

  it('KUBECONFIG merges files: the first to set a name or the current context wins; missing files are skipped', () => {
    const c = loadKubeConfig({ env: { KUBECONFIG: `${join(dir, 'missing')}:${a}:${b}` } });
    expect(c.contextName).toBe('one');
    const two = loadKubeConfig({ context: 'two', env: { KUBECONFIG: `${a}:${b}` } });
    expect(two).toMatchObject({
      cluster: { server: 'https://two:6443' },
      user: { tokenFile: '/var/token' },
      namespace: 'default',
    });
  });

  it('~/.kube/config when nothing is set', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(
      join(home, '.kube', 'config'),
      stringify({
        'current-context': 'x',
        clusters: [{ name: 'c', cluster: { server: 'https://h' } }],
        contexts: [{ name: 'x', context: { cluster: 'c' } }],
      }),
    );
    expect(loadKubeConfig({ env: { HOME: home } }).cluster.server).toBe('https://h');
  });

  it('errors are one line and never quote the file (it holds tokens)', () => {
    const broken = file('broken', 'users:\n- name: u\n  user:\n    token: secret-token-2: [\n');
    let message = '';
    try {
      loadKubeConfig({ kubeconfig: broken, env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^kubeconfig .*broken: not valid YAML at line \d+, column \d+$/);
    expect(message).not.toContain('secret-token-2');
    expect(() => loadKubeConfig({ kubeconfig: a, context: 'nope', env: {} })).toThrow(
      /context "nope" not found/,
    );
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'none'), env: {} })).toThrow(/no such file/);
    expect(() => loadKubeConfig({ kubeconfig: file('list', '- 1\n'), env: {} })).toThrow(/not a kubeconfig/);
    expect(() => loadKubeConfig({ env: { HOME: join(dir, 'empty-home') } })).toThrow(/^no kubeconfig/);
  });
});
