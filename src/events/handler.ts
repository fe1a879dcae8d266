import { type Bitrix24Event, EventDeliveryError, MAX_DELIVERY_BYTES, readDelivery } from './delivery.js';
import { type ApplicationTokenLookup, verifyDelivery } from './verify.js';

export interface EventHandlerOptions {
  /** The stored `application_token` of a portal by `member_id` (undefined: unknown portal). */
  applicationToken: ApplicationTokenLookup;
  /**
   * Gets each verified event after the answer is settled; its work is not awaited by the answer
   * (Bitrix24 calls slow handlers less often). ONAPPINSTALL comes here too: store its token.
   */
  onEvent(event: Bitrix24Event): void | Promise<void>;
  /** Told of a refused delivery or of an `onEvent` failure. Never given a token. Default: ignore. */
  onError?(error: unknown, event?: Bitrix24Event): void;
  /** Most bytes of a body. Default 64 KiB. */
  maxBytes?: number;
  /**
   * Keeps the runtime alive for `onEvent`'s work after the answer (a Worker's `ctx.waitUntil`).
   * Default: the work simply runs on.
   */
  waitUntil?(work: Promise<unknown>): void;
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const STATUS: Record<EventDeliveryError['code'], number> = { malformed: 400, 'unknown-event': 400, 'too-large': 413, unverified: 401 };

/**
 * A Fetch handler for Bitrix24 event deliveries: `(request) => Promise<Response>`. It reads and
 * verifies the post, answers 200 at once and hands the event to `onEvent`; a malformed or unknown
 * body gets 400, an unverified one 401 (`invalid_application_token`), and `onEvent` is not called.
 */
export function createEventHandler(options: EventHandlerOptions): (request: Request) => Promise<Response> {
  const { applicationToken, onEvent, onError = () => {}, maxBytes = MAX_DELIVERY_BYTES, waitUntil } = options;
  return async (request) => {
    if (request.method !== 'POST') return json(405, { error: 'method_not_allowed' });
    let event: Bitrix24Event;
    try {
      event = await verifyDelivery(await readDelivery(request, { maxBytes }), applicationToken);
    } catch (error) {
      onError(error);
      if (error instanceof EventDeliveryError) {
        return json(STATUS[error.code], { error: error.code === 'unverified' ? 'invalid_application_token' : error.code, error_description: error.message });
      }
      return json(500, { error: 'internal_error' });
    }
    // Handed on after this turn, so the answer never waits for the app's work.
    const work = Promise.resolve()
      .then(() => onEvent(event))
      .catch((error) => onError(error, event));
    waitUntil?.(work);
    return json(200, { status: 'ok' });
  };
}
