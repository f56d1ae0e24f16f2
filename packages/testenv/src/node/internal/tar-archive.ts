import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../registry/internal/tar-gzip-layer.js';

/** One entry of a layer: a folder, a regular file or a symbolic link. */
export type TarEntry =
  | { readonly type: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly type: 'file'; readonly path: string; readonly data: Buffer; readonly mode?: number }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

/** A gzip layer blob with the digests a manifest and a config need. */
export interface TarLayer {
  readonly blob: Buffer;
  readonly digest: string;
  readonly diffId: string;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

// ustar header: mtime 0 and owner root, so the same entries always give the same bytes.
function header(name: string, size: number, mode: number, typeflag: string, linkname = ''): Buffer {
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100) {
    throw new Error(`tar entry name too long for ustar: ${name}`);
  }
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7), 148, 'ascii');
  return h;
}

/** A reproducible gzip tar of `entries` (in the given order), as an image layer. */
export function tarLayer(entries: readonly TarEntry[], level = 6): TarLayer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'dir') {
      parts.push(header(e.path.endsWith('/') ? e.path : `${e.path}/`, 0, e.mode ?? 0o755, '5'));
    } else if (e.type === 'symlink') {
      parts.push(header(e.path, 0, 0o777, '2', e.target));
    } else {
      parts.push(header(e.path, e.data.length, e.mode ?? 0o644, '0'), e.data);
      parts.push(Buffer.alloc((512 - (e.data.length % 512)) % 512, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  const tar = Buffer.concat(parts);
  const blob = gzipSync(tar, { level });
  return { blob, digest: sha256Digest(blob), diffId: sha256Digest(tar) };
}
