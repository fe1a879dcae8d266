// Inputs that once broke the sandbox (issue 16), built here so each regression test states only its rule.

/**
 * The batch of issue 16, defect 1: `l1` puts `$result[f]` 200 times into a title, and each later
 * add/get pair repeats the previous title about 100 times, so the commands grow exponentially.
 * About 25 KB of JSON; without a cap it exhausts the heap.
 */
export function exponentialBatch(pairs = 13): { cmd: Record<string, string> } {
  const cmd: Record<string, string> = { f: 'crm.lead.contact.fields' };
  // A reference runs to the next white space (src/wire/batch-reference.ts), so the copies are spaced (%20, a space once decoded).
  cmd.l1 = `crm.lead.add?fields[TITLE]=${'$result[f]%20'.repeat(200)}`;
  cmd.g1 = 'crm.lead.get?id=$result[l1]';
  for (let n = 2; n <= pairs; n++) {
    cmd[`l${n}`] = `crm.lead.add?fields[TITLE]=${`$result[g${n - 1}][TITLE]%20`.repeat(100)}`;
    cmd[`g${n}`] = `crm.lead.get?id=$result[l${n}]`;
  }
  return { cmd };
}

/** A batch of `commands` commands, each an `items.get` carrying `perCommand` extra parameters. */
export function wideBatch(commands: number, perCommand: number): { cmd: Record<string, string> } {
  const query = Array.from({ length: perCommand }, (_, i) => `p${i}=1`).join('&');
  return { cmd: Object.fromEntries(Array.from({ length: commands }, (_, i) => [`c${i}`, `crm.lead.contact.items.get?id=1&${query}`])) };
}

/** `leads` leads with `links` links each: to the same contacts 1..links when `shared`, else to distinct ones (defects 3 and 4). */
export function linkHeavySeed(leads: number, links: number, { shared = false } = {}) {
  return {
    leads: Array.from({ length: leads }, (_, i) => ({
      id: i + 1,
      contacts: Array.from({ length: links }, (_, j) => (shared ? j + 1 : i * links + j + 1)),
    })),
  };
}
