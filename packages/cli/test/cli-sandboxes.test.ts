import type { Sandbox } from '@agentbox/controller';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allOutput, type CliFixture, runCli, startCliFixture, tableOf } from './cli-harness.js';

const ESC = String.fromCharCode(27);

describe('agentbox sandbox commands, as a child process against the real control plane and a running controller', () => {
  let fx: CliFixture;

  beforeAll(async () => {
    fx = await startCliFixture('cli-sandboxes');
    const r = await fx.agentbox([
      'create',
      'pool',
      'box',
      '--image',
      fx.images.app,
      '--idle-image',
      fx.images.idle,
      '--replicas',
      '4',
    ]);
    expect(r.code).toBe(0);
    const empty = await fx.agentbox([
      'create',
      'pool',
      'empty',
      '--image',
      fx.images.app,
      '--idle-image',
      fx.images.idle,
      '--replicas',
      '0',
    ]);
    expect(empty.code).toBe(0);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const pool = JSON.parse((await fx.agentbox(['get', 'pools', 'box', '-o', 'json'])).stdout);
      if (pool.status?.idleReplicas === 4 && (pool.status.unavailableIdleReplicas ?? 0) === 0) return;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error('pool box never had 4 idle pods');
  });
  afterAll(async () => {
    await fx?.close();
  });

  let id = '';

  it('claim --wait -o json: progress lines on stderr (no control codes), only the running Sandbox on stdout', async () => {
    const r = await fx.agentbox([
      'claim',
      'box',
      '--image',
      fx.images.app2,
      '--metadata',
      'user=alice',
      '--wait',
      '-o',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const sandbox = JSON.parse(r.stdout) as Sandbox;
    expect(sandbox).toMatchObject({
      namespace: fx.namespace,
      pool: 'box',
      phase: 'running',
      images: { main: fx.images.app2 },
    });
    id = sandbox.id;
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^sandbox ${id} \\(pod ${sandbox.pod}\\): running after \\d`));
    for (const line of lines)
      expect(line).toMatch(new RegExp(`^sandbox ${id} \\(pod ${sandbox.pod}\\): (starting|running) after `));
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain(ESC);
  });

  it('get sandboxes: the table by columns, -o wide, one by ID as YAML, --all with the idle pods', async () => {
    const table = tableOf((await fx.agentbox(['get', 'sandboxes'])).stdout);
    expect(table[0]).toEqual(['ID', 'POOL', 'PHASE', 'POD', 'IMAGE', 'AGE']);
    expect(table.slice(1)).toEqual([
      [id, 'box', 'running', expect.stringMatching(/^box-/), fx.images.app2, expect.stringMatching(/^\d+s$/)],
    ]);
    const wide = tableOf((await fx.agentbox(['get', 'sandboxes', '-o', 'wide'])).stdout);
    expect(wide[0]).toEqual([
      'ID',
      'POOL',
      'PHASE',
      'POD',
      'IMAGE',
      'AGE',
      'NODE',
      'STARTED',
      'LAST-ACTIVE',
      'DIGEST',
      'CONTAINER-ID',
    ]);
    expect(wide[1]?.[6]).toBe(`${fx.namespace}-node`);
    expect(wide[1]?.[9]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(wide[1]?.[10]).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    const one = parse((await fx.agentbox(['get', 'sandboxes', id, '-o', 'yaml'])).stdout) as Sandbox;
    expect(one).toMatchObject({ id, phase: 'running', pool: 'box' });
    const all = tableOf((await fx.agentbox(['get', 'sandboxes', '--all', '--pool', 'box'])).stdout);
    expect(all).toHaveLength(5);
    expect(all.filter((row) => row[0] === '<none>' && row[2] === 'idle')).toHaveLength(3);
    expect((await fx.agentbox(['get', 'sandboxes', '-o', 'name'])).stdout).toBe(`sandbox/${id}\n`);
  });

  it('touch refreshes last-active; explain -o json of a running sandbox says the update is complete', async () => {
    expect((await fx.agentbox(['touch', id])).stdout).toBe(`sandbox/${id} touched\n`);
    const r = await fx.agentbox(['explain', id, '-o', 'json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { sandbox: Sandbox; explanation: { completed: boolean } };
    expect(answer.sandbox.id).toBe(id);
    expect(answer.explanation.completed).toBe(true);
    const text = await fx.agentbox(['describe', 'sandbox', id]);
    expect(text.stdout).toMatch(new RegExp(`^ID: +${id}$`, 'm'));
    expect(text.stdout).toMatch(/^Phase: +running$/m);
    expect(text.stdout).toMatch(/^ {2}main +\S+app:v2 +Running +true/m);
  });

  it('wait --for running returns at once; release --wait brings the pod back to idle', async () => {
    const w = await fx.agentbox(['wait', id, '--for', 'running', '--timeout', '10s']);
    expect(w).toMatchObject({ code: 0, stdout: `sandbox/${id} running\n` });
    const r = await fx.agentbox(['release', id, '--wait', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`sandbox/${id} released\n`);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/: idle after /);
    expect((await fx.agentbox(['get', 'sandboxes'])).stderr).toBe(
      `No resources found in ${fx.namespace} namespace.\n`,
    );
  });

  it('a claim of an image that cannot be pulled: exit 1, the waiting reason in one error line; explain says why', async () => {
    const r = await fx.agentbox([
      'claim',
      'box',
      '--image',
      fx.images.missing,
      '--startup-timeout',
      '2m',
      '--wait',
      '--timeout',
      '8s',
    ]);
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: claim box: sandbox (\S+) \(pod box-\w+\) still starting after 8s: container main: (ImagePullBackOff|ErrImagePull)/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const badId = /sandbox (\S+) \(pod/.exec(errors[0] as string)?.[1] as string;
    const explain = await fx.agentbox(['explain', badId]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/^Phase: +starting → running$/m);
    expect(explain.stdout).toMatch(/^ {4}Waiting: +(ImagePullBackOff|ErrImagePull)/m);
    expect(explain.stdout).toContain(`Spec Image:`);
    expect(explain.stdout).toMatch(/^Summary: +container main: /m);
    const released = await fx.agentbox(['release', badId]);
    expect(released.stdout).toBe(`sandbox/${badId} released\n`);
  });

  it('errors: an unknown pool, no idle pod, an unknown sandbox: exit 1 and one line', async () => {
    const unknown = await fx.agentbox(['claim', 'nope', '--image', fx.images.app]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: claim nope: .*nope.*\n$/);
    const none = await fx.agentbox(['claim', 'empty', '--image', fx.images.app]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: claim empty: .*idle.*\n$/);
    const gone = await fx.agentbox(['release', 'no-such-sandbox']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: release no-such-sandbox: .*\n$/);
    const verbose = await fx.agentbox(['-v', 'claim', 'nope', '--image', fx.images.app]);
    expect(verbose.stderr).toMatch(/^error: claim nope: /m);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('on a terminal (script(1) gives it a pseudo-terminal) the progress is one line rewritten in place', async () => {
    const cmd = [
      process.execPath,
      fx.bin,
      '--kubeconfig',
      fx.kubeconfigPath,
      'claim',
      'box',
      '--image',
      fx.images.app,
      '--wait',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const r = await runCli('', [], {
      command: ['script', '-qfec', cmd, '/dev/null'],
      env: { TERM: 'xterm' },
    });
    expect(r.code, r.stdout).toBe(0);
    // The line is redrawn with carriage return + erase-line, and ends with the final line and the ID.
    expect(r.stdout).toContain('\r\x1b[2K');
    expect(r.stdout).toMatch(new RegExp(`\\): ${ESC}\\[3[23]m(starting|running)${ESC}\\[0m `));
    expect(r.stdout).toMatch(/running after [\d.]+m?s\r?\n[0-9a-f-]{36}\r?\n/);
  });

  it('never prints the kubeconfig token', () => {
    expect(allOutput.join('\n')).not.toContain(fx.token);
  });
});
