// The entry of `b24-lead-contact/events`: what Bitrix24 sends an app (deliveries, the offline queue)
// and the OAuth refresh of a server app. Runs in Node, Workers, Deno and browsers (Fetch API only).
export {
  type AppInstallEvent,
  type Bitrix24Event,
  EventDeliveryError,
  type EventAuth,
  type EventName,
  MalformedDeliveryError,
  MAX_DELIVERY_BYTES,
  parseBracketForm,
  parseDelivery,
  RECORD_EVENT_NAMES,
  readDelivery,
  type RecordEvent,
  type RecordEventName,
  toEvent,
  UnknownEventError,
  UnverifiedDeliveryError,
} from './events/delivery.js';
export { type ApplicationTokenLookup, constantTimeEqual, verifyDelivery } from './events/verify.js';
export { createEventHandler, type EventHandlerOptions } from './events/handler.js';
export { drainOfflineEvents, type OfflineDrainOptions, type OfflineDrainResult, type OfflineEvent } from './events/offline-reader.js';
export { OAuthRefreshError, oauthRefresh, type OAuthRefreshOptions, type OAuthTokenAnswer } from './events/oauth-refresh.js';
