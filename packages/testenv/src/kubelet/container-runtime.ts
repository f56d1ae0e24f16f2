import { randomBytes } from 'node:crypto';
import { ImagePullError } from './image-pull-error.js';

/** The container runtime a simulated node reports in its IDs. */
export type ContainerRuntime = 'containerd' | 'cri-o' | 'docker';

/** How a runtime spells container IDs, image IDs and image names in pod status. */
export interface RuntimeFormat {
  /** A fresh container ID: `containerd://<64 hex>`, `cri-o://<64 hex>` or `docker://<64 hex>`. */
  newContainerId(): string;
  /** The `imageID` of a container created from `image` whose manifest digest is `digest`. */
  imageId(image: string, digest: string): string;
  /** The `image` field of a container status created from the spec's `image`. */
  statusImage(image: string): string;
}

/**
 * The formats of the three runtimes kubelet talks to: containerd and CRI-O report a
 * fully qualified `<repo>@sha256:…` image ID and a normalised image name; cri-dockerd
 * reports `docker-pullable://<repo>@sha256:…` and the image as written in the spec.
 */
export function runtimeFormat(runtime: ContainerRuntime): RuntimeFormat {
  const scheme = runtime === 'docker' ? 'docker' : runtime;
  return {
    newContainerId: () => `${scheme}://${randomBytes(32).toString('hex')}`,
    imageId(image, digest) {
      const repo = splitImage(image).repository;
      return runtime === 'docker' ? `docker-pullable://${repo}@${digest}` : `${repo}@${digest}`;
    },
    statusImage(image) {
      if (runtime === 'docker') return image;
      const { repository, tag, digest } = splitImage(image);
      return digest ? `${repository}@${digest}` : `${repository}:${tag}`;
    },
  };
}

/** Parts of an image reference, with Docker Hub names normalised (`busybox` → `docker.io/library/busybox`). */
export interface ImageParts {
  /** Registry host, e.g. `docker.io` or `127.0.0.1:5000`. */
  host: string;
  /** Path inside the registry, e.g. `library/busybox`. */
  path: string;
  /** `<host>/<path>`. */
  repository: string;
  /** The tag (`latest` when neither a tag nor a digest is given). */
  tag: string;
  /** The digest when the reference pins one. */
  digest: string | undefined;
}

const REFERENCE =
  /^(?:(?<host>[a-zA-Z0-9.-]+(?::\d+)?|\[[0-9a-fA-F:]+\](?::\d+)?)\/)?(?<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$/;

/** True when `image` is a valid image reference (kubelet answers `InvalidImageName` otherwise). */
export function isValidImage(image: string): boolean {
  try {
    splitImage(image);
    return true;
  } catch {
    return false;
  }
}

/** Splits an image reference the way the container runtimes normalise it; throws on an invalid reference. */
export function splitImage(image: string): ImageParts {
  const m = REFERENCE.exec(image);
  // A first segment that is not a host joins the path, where upper case is invalid.
  const notHost =
    m?.groups?.host !== undefined && !/[.:[]/.test(m.groups.host) && m.groups.host !== 'localhost';
  if (!m?.groups || (notHost && m.groups.host !== m.groups.host!.toLowerCase())) {
    throw new ImagePullError(
      'InvalidImageName',
      `couldn't parse image name ${JSON.stringify(image)}: invalid reference format`,
    );
  }
  let host = m.groups.host;
  let path = m.groups.path!;
  // The first segment is a registry host only when it looks like one (a dot, a port, or localhost).
  if (notHost) {
    path = `${host}/${path}`;
    host = undefined;
  }
  // Docker Hub under any of its names: a one-segment path is an official image under `library/`.
  if (host === undefined || host === 'docker.io' || host === 'index.docker.io') {
    host = 'docker.io';
    if (!path.includes('/')) path = `library/${path}`;
  }
  const digest = m.groups.digest;
  return { host, path, repository: `${host}/${path}`, tag: m.groups.tag ?? 'latest', digest };
}
