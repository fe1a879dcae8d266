/**
 * Bytes counted over every portal of one server against one cap, so a server's memory has a bound
 * however many portals it has (a `createSandbox` is a server of one portal).
 */
export class ServerBudget {
  used = 0;
  constructor(readonly maxBytes: number) {}

  get over(): boolean {
    return this.used > this.maxBytes;
  }
}

/** The budgets a server's portals share: their records and links, their journals, and what their apps leave (events, tokens). */
export interface ServerBudgets {
  records: ServerBudget;
  journals: ServerBudget;
  apps: ServerBudget;
}

export const serverBudgets = (limits: { maxServerBytes: number; maxServerJournalBytes: number; maxServerAppBytes: number }): ServerBudgets => ({
  records: new ServerBudget(limits.maxServerBytes),
  journals: new ServerBudget(limits.maxServerJournalBytes),
  apps: new ServerBudget(limits.maxServerAppBytes),
});

/**
 * A map whose entries are charged to a server budget (each at `cost(key, value)`, taken when it is
 * set and given back when it is deleted or cleared), so every way out of the map returns its bytes.
 */
export class BudgetedMap<K, V> extends Map<K, V> {
  private readonly costs = new Map<K, number>();

  constructor(
    private readonly budget: ServerBudget,
    private readonly cost: (key: K, value: V) => number,
  ) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    const bytes = this.cost(key, value);
    this.costs.set(key, bytes);
    this.budget.used += bytes;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.budget.used -= this.costs.get(key) ?? 0;
    this.costs.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    for (const bytes of this.costs.values()) this.budget.used -= bytes;
    this.costs.clear();
    super.clear();
  }
}
