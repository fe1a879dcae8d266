// The `b24-lead-contact/redis` entry: a store on Redis (or Valkey) for several processes calling one portal.
export { createRedisStore, type IoRedisLike, type NodeRedisLike, type RedisStoreOptions } from './store/redis-store.js';
export type { Bitrix24Store } from './store/store.js';
export type { StoreErrorEvent } from './client/hooks.js';
