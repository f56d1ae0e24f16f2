import { chmod, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCredentialHelper } from './credential-helper.js';
import { createDockerConfigKeychain } from './docker-config-keychain.js';

let dir: string;
let env: NodeJS.ProcessEnv;

/**
 * A tiny `docker-credential-test` speaking the helper protocol: it logs every server URL it is asked for,
 * knows `reg.example` and Docker Hub, answers `<token>` for `token.example`, and says "not found" otherwise.
 */
const HELPER = `#!/bin/sh
[ "$1" = get ] || exit 9
read server
echo "$server" >> "$(dirname "$0")/asked.log"
case "$server" in
  reg.example) echo '{"ServerURL":"reg.example","Username":"helper-user","Secret":"helper-pass"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hub-user","Secret":"hub-pass"}' ;;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"refresh-tok"}' ;;
  broken.example) echo 'not json' ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentbox-docker-config-'));
  await writeFile(join(dir, 'docker-credential-test'), HELPER);
  await chmod(join(dir, 'docker-credential-test'), 0o755);
  env = { PATH: `${dir}:/usr/bin:/bin` };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const asked = async () => (await readFile(join(dir, 'asked.log'), 'utf8').catch(() => '')).trim().split('\n');
const req = (registry: string, repository = 'app') => ({ registry, repository });

describe('runCredentialHelper (docker-credential-helpers protocol)', () => {
  it.each([
    ['reg.example', { kind: 'basic', username: 'helper-user', password: 'helper-pass' }],
    ['token.example', { kind: 'identityToken', token: 'refresh-tok' }],
    ['unknown.example', undefined],
  ])('%s → %j', async (server, expected) => {
    expect(await runCredentialHelper('test', server, { env })).toEqual(expected);
  });

  it.each([
    ['broken.example', 'test', 'not the helper protocol JSON'],
    ['reg.example', 'absent', 'not found on PATH'],
  ])('%s via docker-credential-%s fails with CredentialHelper: %s', async (server, helper, reason) => {
    await expect(runCredentialHelper(helper, server, { env })).rejects.toMatchObject({
      code: 'CredentialHelper',
      message: expect.stringContaining(reason),
    });
  });
});

describe('createDockerConfigKeychain', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('reads inline auths from a config.json file, Hub aliases matching each other', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('me:pw') } } }),
    );
    const keychain = createDockerConfigKeychain({ path, env });
    for (const alias of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      expect(await keychain.credentialsFor(req(alias, 'library/ubuntu'))).toEqual({
        kind: 'basic',
        username: 'me',
        password: 'pw',
      });
    }
  });

  it('finds the file through DOCKER_CONFIG; a missing file means no credentials', async () => {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { 'reg.example': { auth: b64('a:b') } } }),
    );
    expect(
      await createDockerConfigKeychain({ env: { ...env, DOCKER_CONFIG: dir } }).credentialsFor(
        req('reg.example'),
      ),
    ).toEqual({
      kind: 'basic',
      username: 'a',
      password: 'b',
    });
    const empty = createDockerConfigKeychain({ env: { ...env, DOCKER_CONFIG: join(dir, 'nowhere') } });
    expect(await empty.credentialsFor(req('reg.example'))).toBeUndefined();
  });

  it('credHelpers beat credsStore, which beats inline auths; the store gets the Hub server URL', async () => {
    const keychain = createDockerConfigKeychain({
      env,
      config: {
        credsStore: 'test',
        credHelpers: { 'reg.example': 'test' },
        auths: { 'inline.example': { auth: b64('inline:pw') }, 'reg.example': { auth: b64('ignored:pw') } },
      },
    });
    expect(await keychain.credentialsFor(req('reg.example'))).toMatchObject({ username: 'helper-user' });
    expect(await keychain.credentialsFor(req('docker.io', 'library/ubuntu'))).toMatchObject({
      username: 'hub-user',
    });
    // The store has nothing for inline.example: the inline entry answers.
    expect(await keychain.credentialsFor(req('inline.example'))).toMatchObject({ username: 'inline' });
    expect(await asked()).toEqual(
      expect.arrayContaining(['reg.example', 'https://index.docker.io/v1/', 'inline.example']),
    );
  });

  it('reuses a helper answer for the cache TTL instead of spawning the helper per lookup', async () => {
    let now = 0;
    const keychain = createDockerConfigKeychain({
      env,
      config: { credHelpers: { 'reg.example': 'test' } },
      helperCacheTtlMs: 1_000,
      now: () => now,
    });
    const before = (await asked()).length;
    await keychain.credentialsFor(req('reg.example'));
    await keychain.credentialsFor(req('reg.example'));
    expect((await asked()).length).toBe(before + 1);
    now = 1_000;
    await keychain.credentialsFor(req('reg.example'));
    expect((await asked()).length).toBe(before + 2);
  });

  it('runs one helper process for concurrent misses of one (helper, server)', async () => {
    const keychain = createDockerConfigKeychain({ env, config: { credHelpers: { 'reg.example': 'test' } } });
    const before = (await asked()).length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => keychain.credentialsFor(req('reg.example'))),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect((await asked()).length).toBe(before + 1);
  });

  it('keeps at most maxHelperAnswers helper answers', async () => {
    const keychain = createDockerConfigKeychain({
      env,
      config: { credHelpers: { 'reg.example': 'test', 'token.example': 'test' } },
      maxHelperAnswers: 1,
    });
    const before = (await asked()).length;
    await keychain.credentialsFor(req('reg.example'));
    await keychain.credentialsFor(req('token.example')); // evicts reg.example's answer
    await keychain.credentialsFor(req('reg.example'));
    expect((await asked()).length).toBe(before + 3);
  });

  it('re-reads config.json only when the file changed (modification time, size or inode)', async () => {
    const path = join(dir, 'changing.json');
    const write = (user: string) =>
      writeFile(path, JSON.stringify({ auths: { 'reg.example': { auth: b64(`${user}:pw`) } } }));
    const at = 1_700_000_000; // whole seconds: set and read back exactly
    await write('aaaa');
    await utimes(path, at, at);
    const keychain = createDockerConfigKeychain({ path, env });
    expect(await keychain.credentialsFor(req('reg.example'))).toMatchObject({ username: 'aaaa' });
    // Same size and, restored, the same modification time: the parse of the first read is reused.
    await write('bbbb');
    await utimes(path, at, at);
    expect(await keychain.credentialsFor(req('reg.example'))).toMatchObject({ username: 'aaaa' });
    await utimes(path, at, at + 5);
    expect(await keychain.credentialsFor(req('reg.example'))).toMatchObject({ username: 'bbbb' });
  });

  it.each([
    ['{not json', 'is not valid JSON'],
    ['{"auths": []}', 'does not have the docker config.json shape'],
  ])('a malformed file (%s) is InvalidCredentialsConfig naming the file', async (text, reason) => {
    const path = join(dir, 'bad.json');
    await writeFile(path, text);
    await expect(
      createDockerConfigKeychain({ path, env }).credentialsFor(req('reg.example')),
    ).rejects.toMatchObject({
      code: 'InvalidCredentialsConfig',
      message: `${path} ${reason}`,
    });
  });
});
