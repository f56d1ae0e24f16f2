export { FakeClock } from './fake-clock.js';
export { fakeDigest } from './fake-digest.js';
export type { PodClientOperation } from './in-memory-pod-client.js';
export { InMemoryPodClient } from './in-memory-pod-client.js';
export { PodConflictError } from './pod-conflict-error.js';
export { PodNotFoundError } from './pod-not-found-error.js';
export type { ResolverCall, SeededDigestResolverOptions } from './seeded-digest-resolver.js';
export { SeededDigestResolver, UnseededReferenceError } from './seeded-digest-resolver.js';
