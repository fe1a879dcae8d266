export { createBitrix24Client, type Bitrix24Client } from './client/client.js';
export type { Bitrix24ClientOptions } from './client/options.js';
export {
  Bitrix24Error,
  isBitrix24Error,
  isRetryableFailure,
  type Bitrix24ErrorCode,
  type Bitrix24ErrorInit,
  type ClientErrorCode,
  type KnownErrorCode,
} from './client/errors.js';
export type { Connection, OAuthConnection, OAuthTokens, TokenRefreshOptions, WebhookConnection } from './client/auth.js';
export type { PortalMove } from './client/auth.js';
export type { AttemptEvent, Hooks, Logger, RetryEvent, StoreErrorEvent, WaitEvent } from './client/hooks.js';
export type { Bitrix24Store, StoreClientOptions, StoreConnection, StoreContext } from './store/store.js';
export { RATE_LIMIT_PLANS, type RateLimit } from './client/rate-limiter.js';
export type { RetryOptions } from './client/retry.js';
export {
  batch,
  bulk,
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
} from './client/batch.js';
export { rawClient } from './client/raw.js';
export { encodeCommand, encodeQuery } from './client/batch-encoding.js';
export {
  LIST_PAGE_SIZE,
  PAGES_PER_REQUEST,
  readAll,
  readPages,
  type IdDirection,
  type ListReaderClient,
  type ItemReadAllParams,
  type ListRecord,
  type ListShape,
  type ReadAllOptions,
  type ReadAllParams,
  type ReadAllProgress,
} from './client/list-reader.js';
export type { CallOptions, ListPage, MethodAnswer, MethodCall, MethodParams, MethodResult, MethodTree } from './client/method-tree.js';
export type { FieldsOf, ListFilter, ListQuery, ListRecordOf, RecordListMethodName, Selectable, SortDirection } from './client/list-params.js';
export type {
  ItemAddFields,
  ItemCustomField,
  ItemEntityTypeId,
  ItemFieldName,
  ItemFilter,
  ItemListPage,
  ItemListParams,
  ItemMethodName,
  ItemMultiFieldEdits,
  ItemOrder,
  ItemRecord,
  ItemSelectable,
  ItemSelected,
  ItemUpdateFields,
} from './client/item-params.js';
export type { MethodName } from '../generated/methods.js';
export type { components, operations, paths } from '../generated/schema.js';
