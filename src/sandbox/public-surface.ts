// What both entries of `b24-lead-contact/sandbox` (Node and browser) export besides startSandbox.
export {
  createSandbox,
  type Fault,
  type LinkView,
  type Sandbox,
  type SandboxAnswer,
  type SandboxCall,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxRequest,
} from './sandbox.js';
export { DEFAULT_SEED, type Seed, type SeedLink } from './portal-state.js';
export type { AuthOptions, TokenGrant, WebhookGrant } from './auth-check.js';
export type { BucketPlan, OperatingLimit } from './limits.js';
export type { WireLimits } from '../wire/limits.js';
export type { JournalLimits } from './journal.js';
export type { ErrorBody } from '../wire/wire-error.js';
export { DEFAULT_PORTAL, type SandboxPortal } from './portal-registry.js';
export { checkSeed, SeedError } from './seed-check.js';
export type { AppFolder, RunningSandbox, ServerTimeouts, StartSandboxOptions } from './server-types.js';
