// Reading what Bitrix24 posts to an app's handler: a form body with PHP bracket keys
// (`data[FIELDS][ID]=5`, `auth[application_token]=…`), every value text. Runs anywhere (Fetch API only).

/** The lead and contact events, each carrying only the record's id. */
export const RECORD_EVENT_NAMES = [
  'ONCRMLEADADD',
  'ONCRMLEADUPDATE',
  'ONCRMLEADDELETE',
  'ONCRMCONTACTADD',
  'ONCRMCONTACTUPDATE',
  'ONCRMCONTACTDELETE',
] as const;
export type RecordEventName = (typeof RECORD_EVENT_NAMES)[number];
export type EventName = RecordEventName | 'ONAPPINSTALL';

/** `auth[…]` of a delivery. The token fields come only when a user's action raised the event. */
export interface EventAuth {
  domain: string;
  member_id: string;
  application_token: string;
  client_endpoint?: string;
  server_endpoint?: string;
  access_token?: string;
  refresh_token?: string;
  expires?: string;
  expires_in?: string;
  scope?: string;
  status?: string;
  user_id?: string;
}

interface DeliveryBase<E extends EventName> {
  event: E;
  /** The binding that caused the post (absent on ONAPPINSTALL). */
  eventHandlerId?: string;
  /** Unix seconds when the event was queued. */
  ts: number;
  auth: EventAuth;
}

/** A lead or contact event: `id` is the record's id (read the record to see what changed). */
export interface RecordEvent<E extends RecordEventName = RecordEventName> extends DeliveryBase<E> {
  id: number;
}

/** The app was installed: store `auth.application_token` (and the tokens) by `auth.member_id`. */
export interface AppInstallEvent extends DeliveryBase<'ONAPPINSTALL'> {
  data: { VERSION?: string; ACTIVE?: string; INSTALLED?: string; LANGUAGE_ID?: string };
}

/** Every delivery this package reads, told apart by `event`. */
export type Bitrix24Event = { [E in RecordEventName]: RecordEvent<E> }[RecordEventName] | AppInstallEvent;

/** Why a delivery was not accepted. `code` tells the cases apart; the message never holds a token. */
export class EventDeliveryError extends Error {
  constructor(
    readonly code: 'malformed' | 'unknown-event' | 'unverified' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'EventDeliveryError';
  }
}

/** The body is not a delivery: not a form, or a required field is missing or not text. */
export class MalformedDeliveryError extends EventDeliveryError {
  constructor(message: string) {
    super('malformed', message);
    this.name = 'MalformedDeliveryError';
  }
}

/** A well-formed delivery of an event this package does not type. */
export class UnknownEventError extends EventDeliveryError {
  constructor(readonly event: string) {
    super('unknown-event', `The event ${event.slice(0, 60)} is not one this handler reads (${RECORD_EVENT_NAMES.join(', ')}, ONAPPINSTALL).`);
    this.name = 'UnknownEventError';
  }
}

/** The `application_token` does not match the one stored for the portal, or the portal is unknown. */
export class UnverifiedDeliveryError extends EventDeliveryError {
  constructor(message: string) {
    super('unverified', message);
    this.name = 'UnverifiedDeliveryError';
  }
}

/** Most fields, and most bracket levels, a delivery may have: a real one has about 20 and 3. */
const MAX_FIELDS = 200;
const MAX_DEPTH = 4;

/** `a[b][c]=v` pairs to nested objects. Keys that would reach an object's prototype are refused. */
export function parseBracketForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = Object.create(null);
  const params = new URLSearchParams(body);
  let count = 0;
  for (const [key, value] of params) {
    if (++count > MAX_FIELDS) throw new MalformedDeliveryError(`A delivery has at most ${MAX_FIELDS} fields.`);
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!match) throw new MalformedDeliveryError(`The field name ${JSON.stringify(key.slice(0, 60))} is not a bracket key.`);
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    if (path.length > MAX_DEPTH) throw new MalformedDeliveryError(`The field ${key.slice(0, 60)} is nested deeper than ${MAX_DEPTH} levels.`);
    if (path.some((part) => part === '__proto__' || part === 'constructor' || part === 'prototype')) {
      throw new MalformedDeliveryError(`The field name ${key.slice(0, 60)} is not allowed.`);
    }
    let node = root;
    for (const [index, part] of path.entries()) {
      if (index === path.length - 1) {
        node[part] = value;
        break;
      }
      const next = node[part];
      if (typeof next === 'string') throw new MalformedDeliveryError(`The field ${key.slice(0, 60)} is both a value and a group.`);
      node = (next as Record<string, unknown>) ?? (node[part] = Object.create(null));
    }
  }
  return root;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(where: Record<string, unknown>, name: string, label = name): string {
  const value = where[name];
  if (typeof value !== 'string' || value === '') throw new MalformedDeliveryError(`${label} is required and must be text.`);
  return value;
}

const AUTH_FIELDS = ['client_endpoint', 'server_endpoint', 'access_token', 'refresh_token', 'expires', 'expires_in', 'scope', 'status', 'user_id'] as const;

/**
 * Reads a delivery already parsed into an object (`{ event, data: { FIELDS: { ID } }, auth: { … } }`)
 * into the typed union. Throws {@link MalformedDeliveryError} or {@link UnknownEventError}.
 */
export function toEvent(fields: Record<string, unknown>): Bitrix24Event {
  const event = text(fields, 'event').toUpperCase();
  const ts = Number(text(fields, 'ts'));
  if (!Number.isInteger(ts) || ts < 0) throw new MalformedDeliveryError('ts must be Unix seconds.');
  const rawAuth = fields.auth;
  if (!isRecord(rawAuth)) throw new MalformedDeliveryError('auth[…] is required.');
  const auth: EventAuth = {
    domain: text(rawAuth, 'domain', 'auth[domain]'),
    member_id: text(rawAuth, 'member_id', 'auth[member_id]'),
    application_token: text(rawAuth, 'application_token', 'auth[application_token]'),
  };
  for (const name of AUTH_FIELDS) if (typeof rawAuth[name] === 'string') auth[name] = rawAuth[name] as string;
  const handlerId = typeof fields.event_handler_id === 'string' ? { eventHandlerId: fields.event_handler_id } : {};
  if (event === 'ONAPPINSTALL') {
    const data = isRecord(fields.data) ? fields.data : {};
    const picked: AppInstallEvent['data'] = {};
    for (const name of ['VERSION', 'ACTIVE', 'INSTALLED', 'LANGUAGE_ID'] as const) if (typeof data[name] === 'string') picked[name] = data[name] as string;
    return { event, ...handlerId, ts, auth, data: picked };
  }
  if (!(RECORD_EVENT_NAMES as readonly string[]).includes(event)) throw new UnknownEventError(event);
  const data = fields.data;
  const recordFields = isRecord(data) ? data.FIELDS : undefined;
  const id = Number(isRecord(recordFields) ? text(recordFields, 'ID', 'data[FIELDS][ID]') : Number.NaN);
  if (!Number.isSafeInteger(id) || id < 1) throw new MalformedDeliveryError('data[FIELDS][ID] is required and must be a positive integer.');
  return { event: event as RecordEventName, ...handlerId, ts, auth, id };
}

/** Reads a raw form body (`event=ONCRMLEADADD&data[FIELDS][ID]=5&…`). */
export function parseDelivery(body: string): Bitrix24Event {
  return toEvent(parseBracketForm(body));
}

/** The default cap on a delivery body: a real one is under 2 KB. */
export const MAX_DELIVERY_BYTES = 64 * 1024;

/** Reads a delivery from a Fetch `Request` (a form body, within `maxBytes`). */
export async function readDelivery(request: Request, { maxBytes = MAX_DELIVERY_BYTES }: { maxBytes?: number } = {}): Promise<Bitrix24Event> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new MalformedDeliveryError(`A delivery is an application/x-www-form-urlencoded POST, got ${JSON.stringify(type.slice(0, 60))}.`);
  }
  return parseDelivery(await readText(request, maxBytes));
}

/** The body as text, refusing past `maxBytes` without reading on. */
async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new EventDeliveryError('too-large', `The body is larger than ${maxBytes} bytes.`);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new EventDeliveryError('too-large', `The body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
