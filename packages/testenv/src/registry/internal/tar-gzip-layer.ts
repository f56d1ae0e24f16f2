import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** A layer blob: gzip of a tar, with both digests a manifest and a config need. */
export interface Layer {
  /** The gzip bytes (the blob). */
  readonly blob: Buffer;
  /** sha256 of the blob, `sha256:<hex>`. */
  readonly digest: string;
  /** sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry). */
  readonly diffId: string;
}

/** `sha256:<hex>` of `data`. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block for a regular file (mtime 0, mode 0644, owner root) so that bytes are reproducible. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(0, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii'); // checksum placeholder: eight spaces
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write('root', 265, 'ascii');
  header.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7), 148, 'ascii');
  return header;
}

/** A tar archive holding one file, gzip-compressed at `level`; same inputs give the same bytes. */
export function tarGzipLayer(fileName: string, content: string, level = 6): Layer {
  const data = Buffer.from(content, 'utf8');
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  const tar = Buffer.concat([tarHeader(fileName, data.length), data, padding, Buffer.alloc(1024, 0)]);
  const blob = gzipSync(tar, { level });
  return { blob, digest: sha256Digest(blob), diffId: sha256Digest(tar) };
}
