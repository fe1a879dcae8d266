import type { PortalState } from './portal-state.js';

/** The kinds `crm.duplicate.findbycomm` searches, in the order the "20 or more" rule cuts them. */
const KINDS = ['LEAD', 'CONTACT', 'COMPANY'] as const;
type Kind = (typeof KINDS)[number];

/** Once a kind yields this many records, the kinds after it are not returned (documented). */
export const DUPLICATE_CUTOFF = 20;

/** Words that start a phone's extension; `x` counts only before digits (`x5`, `x 5`). */
const EXTENSION_WORDS = ['ext', 'доб'];
const EXTENSION_SIGNS = new Set(['#', ';', ',']);

/** Where a phone's extension begins, or the value's length: one pass, no pattern that can backtrack. */
function extensionStart(phone: string): number {
  for (let at = 0; at < phone.length; at++) {
    const char = phone[at]!;
    if (EXTENSION_SIGNS.has(char)) return at;
    if (EXTENSION_WORDS.some((word) => phone.startsWith(word, at))) return at;
    if (char === 'x') {
      let next = at + 1;
      while (phone[next] === ' ') next++;
      if (next < phone.length && phone[next]! >= '0' && phone[next]! <= '9') return at;
      at = next - 1; // the spaces just read hold no marker
    }
  }
  return phone.length;
}

/**
 * A communication value as the search compares it. Phones: the extension is dropped (documented;
 * `ext.`, `extension`, `доб.`, `x`, `#`, `;` and `,` start one), then only digits count, so
 * `+1 (555) 888-01-01` and `15558880101` match (inferred). E-mails: trimmed and compared without
 * letter case (inferred). Linear in the value, whatever it holds.
 */
export function normaliseCommunication(type: 'PHONE' | 'EMAIL', value: string): string {
  if (type === 'EMAIL') return value.trim().toLowerCase();
  const phone = value.toLowerCase();
  return phone.slice(0, extensionStart(phone)).replace(/\D/g, '');
}

/** The records of one kind whose entries of `type` hold one of `wanted`, ascending by id. */
function matching(records: Iterable<{ id: number; fields: Record<string, unknown> }>, type: 'PHONE' | 'EMAIL', wanted: ReadonlySet<string>): number[] {
  const ids: number[] = [];
  for (const record of records) {
    const entries = record.fields[type];
    if (!Array.isArray(entries)) continue;
    if (entries.some((entry) => wanted.has(normaliseCommunication(type, String(entry?.VALUE ?? ''))))) ids.push(record.id);
  }
  return ids.sort((a, b) => a - b);
}

/** `crm.duplicate.findbycomm` over the sandbox's leads and contacts (it holds no companies). */
export function findByCommunication(state: PortalState, params: { type: 'PHONE' | 'EMAIL'; values: string[]; entity_type?: Kind }) {
  const wanted = new Set(params.values.map((value) => normaliseCommunication(params.type, value)).filter((value) => value !== ''));
  const result: Partial<Record<Kind, number[]>> = {};
  for (const kind of KINDS) {
    if (params.entity_type && params.entity_type !== kind) continue;
    const ids =
      kind === 'LEAD' ? matching(state.leads.values(), params.type, wanted) : kind === 'CONTACT' ? matching(state.contacts.values(), params.type, wanted) : [];
    if (ids.length > 0) result[kind] = ids;
    if (ids.length >= DUPLICATE_CUTOFF) break;
  }
  // The portal's PHP encodes an empty map as a JSON list (inferred), so "nothing found" is `[]`.
  return Object.keys(result).length > 0 ? result : [];
}
