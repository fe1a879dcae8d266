export { createBitrix24Client, type Bitrix24Client, type Bitrix24ClientOptions } from './client.js';
export {
  Bitrix24Error,
  isBitrix24Error,
  isRetryableFailure,
  type Bitrix24ErrorCode,
  type Bitrix24ErrorInit,
  type ClientErrorCode,
  type KnownErrorCode,
} from './errors.js';
export type { Connection, OAuthConnection, WebhookConnection } from './auth.js';
export type { PortalMove } from './transport.js';
export type { AttemptEvent, Hooks, Logger, RetryEvent, StoreErrorEvent, WaitEvent } from './hooks.js';
export type { Bitrix24Store, StoreConnection, StoreContext } from './store.js';
export { RATE_LIMIT_PLANS, type RateLimit } from './rate-limiter.js';
export type { RetryOptions } from './retry.js';
export type { OAuthTokens, TokenRefreshOptions } from './token-refresh.js';
export {
  cmd,
  MAX_BATCH_COMMANDS,
  type AnyBatchCommand,
  type BatchableMethod,
  type BatchCommand,
  type BatchCommands,
  type BatchErrorCode,
  type BatchFailure,
  type BatchMethods,
  type BatchOptions,
  type BatchOutcome,
  type BatchResults,
  type BatchSuccess,
  type BulkOptions,
  type BulkProgress,
  type CommandBuilder,
  type CommandTree,
} from './batch.js';
export { encodeCommand, encodeQuery } from './batch-encoding.js';
export type { CallOptions, ListPage, MethodAnswer, MethodCall, MethodParams, MethodResult, MethodTree } from './method-tree.js';
export type { FieldsOf, ListFilter, ListQuery, SortDirection } from './list-params.js';
export { readAll, type ReadAllOptions, type ReadProgress } from './read-all.js';
export type { MethodName } from '../generated/methods.js';
export type { components, operations, paths } from '../generated/schema.js';
