import { type Bitrix24Event, UnverifiedDeliveryError } from './delivery.js';

/** Where the app keeps each portal's `application_token`: by `member_id`; undefined for an unknown portal. */
export type ApplicationTokenLookup = (memberId: string) => string | undefined | Promise<string | undefined>;

/** Compares two strings in time that depends on their lengths only, not on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  const length = Math.max(x.length, y.length);
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Checks a delivery's `auth[application_token]` against the one stored for its `member_id`, in
 * constant time. Throws {@link UnverifiedDeliveryError} for an unknown portal or a mismatch. The
 * only exception is the first ONAPPINSTALL of a portal with nothing stored: there is nothing to check
 * it against (it is where the token comes from); an ONAPPINSTALL for a known portal must match, so a
 * forged install cannot replace a stored token.
 */
export async function verifyDelivery<E extends Bitrix24Event>(event: E, lookup: ApplicationTokenLookup): Promise<E> {
  const stored = await lookup(event.auth.member_id);
  if (stored === undefined) {
    if (event.event === 'ONAPPINSTALL') return event;
    throw new UnverifiedDeliveryError('No application_token is stored for this portal (member_id); install the app first.');
  }
  if (!constantTimeEqual(stored, event.auth.application_token))
    throw new UnverifiedDeliveryError('The application_token does not match the one stored for this portal.');
  return event;
}
