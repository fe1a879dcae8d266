// Draining the offline queue at least once: rows are reserved (`clear=0`), handed to the app, and
// deleted with `event.offline.clear` only after the app's callback succeeded. A crash between the
// two leaves them reserved; `processId` resumes that reservation and gets them again.
import type { Bitrix24Client } from '../client/client.js';

/** One queued offline event, as `event.offline.get` answers it. */
export interface OfflineEvent {
  ID: string;
  TIMESTAMP_X: string;
  EVENT_NAME: string;
  EVENT_DATA?: unknown;
  EVENT_ADDITIONAL?: unknown;
  MESSAGE_ID: string;
}

export interface OfflineDrainOptions {
  /** Handles one batch; the batch is deleted from the queue only when this resolves. */
  onEvents(events: OfflineEvent[]): Promise<void> | void;
  /** Rows per batch (the memory bound: one batch at a time). Default 50. */
  limit?: number;
  /** The reservation to resume (store the one `onReserve` gives you to survive a crash). */
  processId?: string;
  /** Told each reservation id as soon as it exists. */
  onReserve?(processId: string): void | Promise<void>;
  /** Reads the rows of this connector. */
  authConnector?: string;
  /** Stops after this many batches. Default: until the queue is empty. */
  maxBatches?: number;
}

export interface OfflineDrainResult {
  /** Rows handled and deleted. */
  handled: number;
  batches: number;
  /** The reservation used last. */
  processId: string | undefined;
}

type OfflineClient = Pick<Bitrix24Client, 'event'>;

/**
 * Reads the app's offline queue batch by batch until it is empty: each batch is reserved, handed to
 * `onEvents`, then deleted. If `onEvents` throws, the batch stays reserved and the error is thrown
 * (with `processId` on it) so a later drain with that `processId` gets the same rows again.
 */
export async function drainOfflineEvents(client: OfflineClient, options: OfflineDrainOptions): Promise<OfflineDrainResult> {
  const { onEvents, limit = 50, authConnector, maxBatches = Number.POSITIVE_INFINITY, onReserve } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`limit must be a positive integer, got ${String(limit)}`);
  let processId = options.processId;
  let handled = 0;
  let batches = 0;
  while (batches < maxBatches) {
    const answer = (await client.event.offline.get({
      clear: 0,
      limit,
      ...(processId ? { process_id: processId } : {}),
      ...(authConnector ? { auth_connector: authConnector } : {}),
    })) as { process_id: string | null; events: OfflineEvent[] };
    if (answer.process_id && answer.process_id !== processId) {
      processId = answer.process_id;
      await onReserve?.(processId);
    }
    if (answer.events.length === 0) break;
    try {
      await onEvents(answer.events);
    } catch (error) {
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), { processId });
    }
    await client.event.offline.clear({ process_id: processId!, message_id: answer.events.map((event) => event.MESSAGE_ID) });
    handled += answer.events.length;
    batches++;
  }
  return { handled, batches, processId };
}
