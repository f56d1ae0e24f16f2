// Public surface of @agentbox/resolver-registry/docker-registry-client: the optional second backend.
// Importing this subpath is the only thing that loads the `docker-registry-client` peer dependency.

export {
  createDockerRegistryClientResolver,
  type DockerRegistryClientResolverOptions,
  type ResolvedDockerRegistryClientResolverOptions,
  resolveDockerRegistryClientResolverOptions,
} from './create-docker-registry-client-resolver.js';
export { OptionalDependencyMissingError } from './docker-registry-client-module.js';
