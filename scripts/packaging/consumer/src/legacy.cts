// A CommonJS consumer: Node >= 20.19 requires the ES modules, TypeScript (nodenext) types the require.
import assert = require('node:assert/strict');
import core = require('@agentbox/core');
import testing = require('@agentbox/core/testing');
import cache = require('@agentbox/resolver-cache');
import registry = require('@agentbox/resolver-registry');

assert.equal(core.parseImageReference('busybox').repository, 'library/busybox');
assert.equal(typeof testing.InMemoryPodClient, 'function');
assert.equal(typeof cache.withCache, 'function');
const resolver = registry.createRegistryResolver();
assert.equal(typeof cache.withCache(resolver).resolve, 'function');
void resolver.close().then(() => console.log('cjs consumer: ok'));
