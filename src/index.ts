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
export type { CallOptions, MethodCall, MethodParams, MethodResult, MethodTree } from './method-tree.js';
export type { MethodName } from '../generated/methods.js';
export type { components, operations, paths } from '../generated/schema.js';
