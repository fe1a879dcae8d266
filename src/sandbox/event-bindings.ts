import { WireError } from '../wire/wire-error.js';
import { handlerUrlProblem } from './handler-url.js';
import { heapSize } from './heap-size.js';
import { ServerBudget } from './server-budget.js';

/** The events a sandbox portal knows: the lead and contact events it raises, and the install event. */
export const RECORD_EVENTS = ['ONCRMLEADADD', 'ONCRMLEADUPDATE', 'ONCRMLEADDELETE', 'ONCRMCONTACTADD', 'ONCRMCONTACTUPDATE', 'ONCRMCONTACTDELETE'] as const;
export const KNOWN_EVENTS: readonly string[] = [...RECORD_EVENTS, 'ONAPPINSTALL'];

/** One `event.bind` of one app on one portal. */
export interface Binding {
  id: number;
  clientId: string;
  event: string;
  /** Online bindings only. */
  handler?: string;
  /** The user the binding acts for; 0 for none. */
  userId: number;
  offline: boolean;
  connector: string;
}

export interface BindInput {
  clientId: string;
  event: string;
  handler?: string;
  userId?: number;
  offline?: boolean;
  connector?: string;
  /** The calling app's scopes: an event outside them is "not found", as on a portal. */
  scopes?: readonly string[];
}

const eventNotFound = () => new WireError(400, 'ERROR_EVENT_NOT_FOUND', 'Event not found');

/** The event bindings of one portal, capped at `maxHandlers` and charged (as `heapSize` counts a binding) to the server's app budget. */
export class EventBindings {
  private readonly bindings: Binding[] = [];
  private nextId = 1;

  constructor(
    private readonly maxHandlers: number,
    private readonly budget: ServerBudget = new ServerBudget(Number.MAX_SAFE_INTEGER),
  ) {}

  bind(input: BindInput): Binding {
    const event = input.event.toUpperCase();
    if (!KNOWN_EVENTS.includes(event)) throw eventNotFound();
    if (event.startsWith('ONCRM') && input.scopes && !input.scopes.includes('crm')) throw eventNotFound();
    const offline = input.offline ?? false;
    if (!offline) {
      if (!input.handler) throw new WireError(400, '', 'Argument "HANDLER" is null or empty');
      const problem = handlerUrlProblem(input.handler);
      if (problem) throw new WireError(400, 'ERROR_WRONG_HANDLER_URL', problem);
    }
    const binding: Binding = {
      id: this.nextId++,
      clientId: input.clientId,
      event,
      ...(offline ? {} : { handler: input.handler }),
      userId: input.userId ?? 0,
      offline,
      connector: input.connector ?? '',
    };
    const same = (b: Binding) =>
      b.clientId === binding.clientId &&
      b.event === event &&
      b.handler === binding.handler &&
      b.userId === binding.userId &&
      b.connector === binding.connector &&
      b.offline === offline;
    if (this.bindings.some(same)) throw new WireError(400, 'ERROR_CORE', 'Unable to set event handler: Handler already binded');
    if (this.bindings.length >= this.maxHandlers) {
      throw new WireError(400, 'SANDBOX_HANDLER_LIMIT', `This sandbox portal keeps at most ${this.maxHandlers} event handlers (limits.maxHandlers).`);
    }
    const cost = heapSize(binding);
    if (this.budget.used + cost > this.budget.maxBytes) {
      throw new WireError(400, 'SANDBOX_HANDLER_LIMIT', `This sandbox server's app stores are full (limits.maxServerAppBytes ${this.budget.maxBytes}).`);
    }
    this.budget.used += cost;
    this.bindings.push(binding);
    return binding;
  }

  /** Removes the app's bindings matching the given parts; answers how many went. */
  unbind(input: { clientId: string; event: string; handler?: string; userId?: number; offline?: boolean }): number {
    const event = input.event.toUpperCase();
    let count = 0;
    for (let i = this.bindings.length - 1; i >= 0; i--) {
      const b = this.bindings[i]!;
      if (b.clientId !== input.clientId || b.event !== event || b.offline !== (input.offline ?? false)) continue;
      if (input.handler !== undefined && b.handler !== input.handler) continue;
      if (input.userId !== undefined && b.userId !== input.userId) continue;
      this.bindings.splice(i, 1);
      this.budget.used -= heapSize(b);
      count++;
    }
    return count;
  }

  /** The app's bindings, oldest first. */
  of(clientId: string): Binding[] {
    return this.bindings.filter((b) => b.clientId === clientId);
  }

  /** Every binding of an event, across apps. */
  matching(event: string): Binding[] {
    return this.bindings.filter((b) => b.event === event);
  }

  get size() {
    return this.bindings.length;
  }

  /** Gives every binding's bytes back (the bindings are being replaced). */
  release() {
    for (const b of this.bindings.splice(0)) this.budget.used -= heapSize(b);
  }
}
