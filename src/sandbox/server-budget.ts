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

/** The budgets a server's portals share: their records and links, and their journals. */
export interface ServerBudgets {
  records: ServerBudget;
  journals: ServerBudget;
}

export const serverBudgets = (limits: { maxServerBytes: number; maxServerJournalBytes: number }): ServerBudgets => ({
  records: new ServerBudget(limits.maxServerBytes),
  journals: new ServerBudget(limits.maxServerJournalBytes),
});
