import { parseImageReference } from '@agentbox/core';
import type { seededRandom } from '../random.js';

type Random = ReturnType<typeof seededRandom>;

const hex = (rnd: Random, n: number) =>
  Array.from({ length: n }, () => '0123456789abcdef'[rnd.int(0, 15)]).join('');

// Registries whose names stay on this machine: the fuzz must never make the resolver (controller or CLI) reach
// past loopback, whatever reference it is handed.
const loopbackRegistry = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/i;

/**
 * True when no resolver could send traffic past loopback for `ref`: it is not a valid reference (nothing is
 * fetched), or its registry is a loopback host. Also applied to status images and imageIDs, which the
 * explanation turns into references (`name@digest`).
 */
export function staysOnLoopback(ref: string): boolean {
  for (const candidate of [ref, ref.replace(/^docker(-pullable)?:\/\//, '')]) {
    let registry: string;
    try {
      registry = parseImageReference(candidate).registry;
    } catch {
      continue;
    }
    if (!loopbackRegistry.test(registry)) return false;
  }
  return true;
}

/**
 * An odd image reference for a spec or status image: digests of the wrong length or algorithm, upper case,
 * ports, very long paths, `@sha256:` alone, inner whitespace, unicode, tags at their length limit. Every result
 * that parses names a loopback registry on `port` (nothing listens there), so resolving it fails fast and
 * stays on this machine; some results are refused by kube-apiserver (leading or trailing whitespace, empty).
 */
export function hostileImageReference(rnd: Random, port: number): string {
  const host = rnd.pick([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]);
  const repo = rnd.pick([
    'app',
    'a/b/c',
    'fuzz/idle',
    'x'.repeat(rnd.int(1, 300)),
    'UPPER/Case',
    'a__b',
    'a..b',
  ]);
  const ref = ((): string => {
    switch (rnd.int(0, 17)) {
      case 0:
        return `${host}/${repo}:${rnd.pick(['v1', 'latest', 'x'.repeat(128), 'x'.repeat(129), '.bad', 'ü'])}`;
      case 1:
        return `${host}/${repo}@sha256:${hex(rnd, rnd.pick([63, 64, 65, 0, 128]) ?? 64)}`;
      case 2:
        return `${host}/${repo}@${rnd.pick(['sha512', 'md5', 'SHA256', 'sha256+b64', ''])}:${hex(rnd, rnd.int(0, 128))}`;
      case 3:
        return `${host}/${repo}@sha256:`;
      case 4:
        return '@sha256:';
      case 5:
        return `@sha256:${hex(rnd, 64)}`;
      case 6:
        return `sha256:${hex(rnd, 64)}`;
      case 7:
        return hex(rnd, 64);
      case 8:
        return `${host}/${repo}:v1@sha256:${hex(rnd, 64)}`;
      case 9:
        return `${host}/${'a/'.repeat(rnd.int(100, 600))}z:v1`;
      case 10:
        return `${host}/a b\tc:v1`;
      case 11:
        return rnd.pick([' ', `\t${host}/app:v1`, `${host}/app:v1 `, '', '\n']) ?? ' ';
      case 12:
        return `${host}/app:v1:v2`;
      case 13:
        return `${host}/${rnd.pick(['app', 'Ü', '🚀', 'é/è', '\u0000x'])}:v1`;
      case 14:
        return `${host}:${rnd.pick(['99999', '0', 'x', '-1'])}/app:v1`;
      case 15:
        return `${host}//app:v1`;
      case 16:
        return `${host}/app:v1#${hex(rnd, 8)}`;
      default:
        return `${host}/${repo}:v${rnd.int(1, 3)}`;
    }
  })();
  return staysOnLoopback(ref) ? ref : `127.0.0.1:${port}/${ref.replace(/[^a-z0-9]+/g, '-') || 'app'}:v1`;
}

/** An odd `imageID` for a container status: empty, runtime prefixes, short digests, bare digests, garbage. */
export function hostileImageID(rnd: Random, port: number, image: string): string {
  const digest = `sha256:${hex(rnd, 64)}`;
  const id = ((): string => {
    switch (rnd.int(0, 8)) {
      case 0:
        return '';
      case 1:
        return digest;
      case 2:
        return `docker-pullable://127.0.0.1:${port}/app@${digest}`;
      case 3:
        return `docker://${digest}`;
      case 4:
        return `127.0.0.1:${port}/app@sha256:${hex(rnd, rnd.int(1, 70))}`;
      case 5:
        return `${image}@${digest}`;
      case 6:
        return rnd.pick(['@', 'sha256:', '::::', 'docker-pullable://', '\u2028']) ?? '@';
      case 7:
        return `sha1:${hex(rnd, 40)}`;
      default:
        return `docker-pullable://${image}`;
    }
  })();
  return staysOnLoopback(id) ? id : digest;
}
