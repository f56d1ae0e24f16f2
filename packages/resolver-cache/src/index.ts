export type { CacheEvent, CacheEventListener, CacheOperation } from './cache-event.js';
export { credentialIdentity, normaliseReference } from './cache-key.js';
export type { CacheOptions, ResolvedCacheOptions } from './cache-options.js';
export { resolveCacheOptions } from './cache-options.js';
export type { CacheStats } from './cache-stats.js';
export { InvalidCacheOptionsError } from './invalid-cache-options-error.js';
export type { CachedDigestResolver } from './with-cache.js';
export { withCache } from './with-cache.js';
