// What both entries of `b24-lead-contact/sandbox` (Node and browser) export besides startSandbox.
// createSandbox is defined by each entry (Node: with a deliverer for events).
export type {
  Fault,
  LinkView,
  Sandbox,
  SandboxAnswer,
  SandboxCall,
  SandboxLimits,
  SandboxOptions,
  SandboxRequest,
} from './sandbox.js';
export { DEFAULT_SEED, type Seed, type SeedLink } from './portal-state.js';
export type { AppInstall } from './sandbox.js';
export type { DeliverFunction, DeliveryAttempt, DeliveryRequest, DeliveryResult } from './event-delivery.js';
export { OAuthError, type AppCredentials, type InstalledApp, type TokenPair } from './oauth.js';
export type { AppLimits } from './app-limits.js';
export type { AuthOptions, TokenGrant, WebhookGrant } from './auth-check.js';
export type { BucketPlan, OperatingLimit } from './limits.js';
export type { WireLimits } from '../wire/limits.js';
export type { JournalLimits } from './journal.js';
export type { StatePage } from './state-page.js';
export type { ErrorBody } from '../wire/wire-error.js';
export { DEFAULT_PORTAL, type SandboxPortal } from './portal-registry.js';
export { checkSeed, SeedError } from './seed-check.js';
export type { AppFolder, RunningSandbox, ServerTimeouts, StartSandboxOptions } from './server-types.js';
