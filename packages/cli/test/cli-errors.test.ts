import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushImage, registryFromProvided } from '@agentbox/testenv';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allOutput, type CliFixture, runCli, startCliFixture } from './cli-harness.js';

describe('agentbox: kubeconfig and connection errors, help, version, completion, resolve, and no secret in any output', () => {
  let fx: CliFixture;
  let dir: string;
  const basic = inject('registries').basic;

  beforeAll(async () => {
    fx = await startCliFixture('cli-errors');
    dir = mkdtempSync(join(tmpdir(), 'agentbox-cli-errors-'));
  });
  afterAll(async () => {
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function kubeconfig(name: string, server: string, token: string): string {
    const path = join(dir, name);
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ns1' } }],
        'current-context': 'x',
      }),
    );
    return path;
  }

  it('an unreachable API server: exit 1, one line naming it', async () => {
    const path = kubeconfig('unreachable', 'https://127.0.0.1:1', fx.token);
    const r = await runCli(fx.bin, ['--kubeconfig', path, 'get', 'pools']);
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: get pools: cannot reach the API server https://127.0.0.1:1: ECONNREFUSED\n',
    });
  });

  it('a wrong token: exit 1, Unauthorized, one line', async () => {
    const server = fx.kc.getCurrentCluster()?.server as string;
    const r = await runCli(fx.bin, [
      '--kubeconfig',
      kubeconfig('wrong-token', server, 'not-the-token'),
      'get',
      'pools',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: get pools: Unauthorized: the API server refused the kubeconfig credentials\n',
    );
  });

  it('bad kubeconfigs: invalid YAML (without quoting it), a missing file, an unknown context, none at all', async () => {
    const broken = join(dir, 'broken');
    writeFileSync(broken, `users:\n- name: u\n  user:\n    token: ${fx.token}: [oops\n`);
    const yaml = await runCli(fx.bin, ['--kubeconfig', broken, 'get', 'pools']);
    expect(yaml.code).toBe(1);
    expect(yaml.stderr).toMatch(
      new RegExp(`^error: kubeconfig ${broken}: not valid YAML at line \\d+, column \\d+\\n$`),
    );
    const missing = await runCli(fx.bin, ['--kubeconfig', join(dir, 'nope'), 'get', 'pools']);
    expect(missing).toMatchObject({
      code: 1,
      stderr: `error: kubeconfig ${join(dir, 'nope')}: no such file\n`,
    });
    const context = await runCli(fx.bin, [
      '--kubeconfig',
      fx.kubeconfigPath,
      '--context',
      'other',
      'get',
      'pools',
    ]);
    expect(context).toMatchObject({
      code: 1,
      stderr: `error: kubeconfig ${fx.kubeconfigPath}: context "other" not found\n`,
    });
    const none = await runCli(fx.bin, ['get', 'pools'], {
      env: { KUBECONFIG: '', HOME: dir, KUBERNETES_SERVICE_HOST: '' },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: no kubeconfig: /);
  });

  it('KUBECONFIG and the context namespace are honoured; -n overrides it', async () => {
    const env = { KUBECONFIG: `${join(dir, 'missing')}:${fx.kubeconfigPath}` };
    const r = await runCli(fx.bin, ['get', 'pools'], { env });
    expect(r).toMatchObject({ code: 0, stderr: `No resources found in ${fx.namespace} namespace.\n` });
    const other = await runCli(fx.bin, ['-n', 'kube-system', 'get', 'pools'], { env });
    expect(other.stderr).toBe('No resources found in kube-system namespace.\n');
  });

  it('--help and version --client need no cluster; version asks the server too', async () => {
    const help = await runCli(fx.bin, ['--help'], { env: { KUBECONFIG: join(dir, 'missing'), HOME: dir } });
    expect(help.code).toBe(0);
    for (const cmd of [
      'get',
      'describe',
      'create',
      'scale',
      'delete',
      'claim',
      'release',
      'touch',
      'wait',
      'explain',
      'resolve',
      'controller',
      'version',
      'completion',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    const client = await runCli(fx.bin, ['version', '--client'], { env: { HOME: dir } });
    expect(client).toMatchObject({ code: 0, stdout: 'Client Version: v0.1.0\n' });
    const both = await fx.agentbox(['version', '-o', 'json']);
    expect(JSON.parse(both.stdout)).toMatchObject({
      clientVersion: { version: '0.1.0' },
      serverVersion: { gitVersion: 'v1.35.4' },
    });
    const controllerHelp = await runCli(fx.bin, ['controller', '--help']);
    expect(controllerHelp.code).toBe(0);
    expect(controllerHelp.stdout).toContain('--leader-elect');
    expect(controllerHelp.stdout).toContain('--resolver-cache-ttl');
  });

  it('completion bash (valid bash), zsh and fish scripts; an unknown shell is a usage error', async () => {
    const bash = await runCli(fx.bin, ['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F _agentbox agentbox');
    const script = join(dir, 'completion.bash');
    writeFileSync(script, bash.stdout);
    // The script parses, and completes the commands after `agentbox get `.
    const words = execFileSync(
      'bash',
      [
        '-c',
        `source ${script}; COMP_WORDS=(agentbox get ""); COMP_CWORD=2; _agentbox; echo "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(words.split(' ')).toEqual(expect.arrayContaining(['pools', 'sandboxes']));
    expect((await runCli(fx.bin, ['completion', 'zsh'])).stdout).toMatch(/^#compdef agentbox/);
    expect((await runCli(fx.bin, ['completion', 'fish'])).stdout).toContain(
      "complete -c agentbox -n '__fish_use_subcommand' -a 'get describe",
    );
    expect((await runCli(fx.bin, ['completion', 'tcsh'])).code).toBe(2);
  });

  it('resolve with a pull secret against a Basic-auth registry: the digests, never the password', async () => {
    const registry = registryFromProvided(basic);
    const image = await pushImage(registry, {
      repository: `${fx.namespace}/private`,
      tag: 'v1',
      kind: 'oci-index',
    });
    const auth = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    const dockerconfig = {
      auths: { [basic.host]: { username: basic.username, password: basic.password, auth } },
    };
    await fx.kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: fx.namespace,
      body: {
        metadata: { name: 'regcred' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerconfig)).toString('base64') },
      },
    });
    const r = await fx.agentbox(['-v', 'resolve', image.reference, '--pull-secret', 'regcred']);
    expect(r.code, r.stderr).toBe(0);
    const [header, row] = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s{3,}/));
    expect(header).toEqual(['IMAGE', 'DIGEST', 'CONFIG-DIGEST']);
    expect(row).toEqual([image.reference, image.digest, image.configDigest]);
    const json = JSON.parse(
      (await fx.agentbox(['resolve', image.reference, '--pull-secret', 'regcred', '-o', 'json'])).stdout,
    );
    expect(json).toMatchObject({
      digest: image.digest,
      configDigest: image.configDigest,
      platform: 'linux/amd64',
    });
    // Without the secret the registry refuses: one error line, exit 1.
    const denied = await fx.agentbox(['resolve', image.reference], {
      env: { HOME: dir, DOCKER_CONFIG: dir },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(new RegExp(`^error: resolve ${image.reference.replace(/[.]/g, '\\.')}: `));
    // describe/explain/get of objects never show the secret either: the CLI has no secret command at all.
    const everything = allOutput.join('\n');
    expect(everything).not.toContain(basic.password);
    expect(everything).not.toContain(auth);
    expect(everything).not.toContain(fx.token);
  });
});
