import { InvalidReferenceError } from '../errors/invalid-reference-error.js';
import { digestProblem } from '../internal/validate-digest.js';

/** A parsed, fully qualified image reference. */
export interface ImageReference {
  /**
   * Registry host: `docker.io` for Docker Hub, otherwise `host[:port]` as written, lower-cased when it
   * contains `.` or `:` or is `localhost` (a first component that is a registry only because it has
   * upper-case letters keeps its case, so that formatting it back names the same image).
   */
  registry: string;
  /** Repository path inside the registry, e.g. `library/ubuntu` for official images. */
  repository: string;
  /** Tag; `latest` when neither a tag nor a digest was given. */
  tag?: string;
  /** Content digest `algorithm:hex`, e.g. `sha256:<64 hex>`. */
  digest?: string;
  /** `registry + '/' + repository`. */
  name: string;
}

const dockerHub = 'docker.io';
// distribution/reference v0.6 bounds the repository path (`library/x` for Docker Hub), not the host.
const repositoryLengthMax = 255;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const pathPattern = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainPattern = new RegExp(
  `^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const tagPattern = /^\w[\w.-]{0,127}$/;
const anchoredIdentifier = /^[a-f0-9]{64}$/;

/**
 * Parses an image reference the way Docker does (`ParseNormalizedNamed` of distribution/reference):
 * `[registry/]path[:tag][@digest]`, Docker Hub names completed (`ubuntu` → `docker.io/library/ubuntu`),
 * `latest` added when neither tag nor digest is given. Throws InvalidReferenceError naming the input.
 */
export function parseImageReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref === '') throw new InvalidReferenceError(String(ref), 'empty reference');
  if (anchoredIdentifier.test(ref)) {
    throw new InvalidReferenceError(ref, 'a 64-character hexadecimal string is an image ID, not a name');
  }
  const at = ref.indexOf('@');
  const nameAndTag = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== undefined) throw new InvalidReferenceError(ref, problem);
  }
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (tag !== undefined && !tagPattern.test(tag)) throw new InvalidReferenceError(ref, 'invalid tag');

  const { registry, repository } = splitRegistry(ref, name);
  if (repository.length > repositoryLengthMax) {
    throw new InvalidReferenceError(ref, `repository path must be at most ${repositoryLengthMax} characters`);
  }
  const result: ImageReference = { registry, repository, name: `${registry}/${repository}` };
  if (tag !== undefined) result.tag = tag;
  else if (digest === undefined) result.tag = 'latest';
  if (digest !== undefined) result.digest = digest;
  return result;
}

// The first path component is a registry when it contains `.` or `:`, is `localhost`, or has upper-case
// letters (which a Docker Hub namespace never has); everything else is on Docker Hub.
function splitRegistry(ref: string, name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isRegistry =
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  let registry = isRegistry ? first : dockerHub;
  let repository = isRegistry ? name.slice(slash + 1) : name;
  if (isRegistry) {
    if (!domainPattern.test(registry)) throw new InvalidReferenceError(ref, 'invalid registry host');
    if (registry.toLowerCase() !== registry && /[.:]|^localhost$/i.test(registry)) {
      registry = registry.toLowerCase();
    }
    if (registry === 'index.docker.io') registry = dockerHub;
  }
  if (repository.toLowerCase() !== repository) {
    throw new InvalidReferenceError(ref, 'repository name must be lowercase');
  }
  if (!pathPattern.test(repository)) throw new InvalidReferenceError(ref, 'invalid repository name');
  if (registry === dockerHub && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}
