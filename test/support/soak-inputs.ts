// Random traffic for the sandbox soak test: batches whose commands reference each other, and bodies
// of every shape and size. A token rides along everywhere, so the test can check the journal for it.
import fc from 'fast-check';

export const SOAK_TOKEN = 'SoakSecretToken4711';

const key = fc.integer({ min: 0, max: 9 }).map((i) => `k${i}`);
const ref = fc.tuple(key, fc.constantFrom('', '[TITLE]', '[0]', '[CONTACT_ID]', '[ID]')).map(([k, path]) => `$result[${k}]${path}`);
const id = fc.constantFrom('1', '2', '999', 'x', '1010');

const command = fc.oneof(
  fc.constant('crm.lead.contact.fields'),
  fc.tuple(ref, fc.integer({ min: 1, max: 200 })).map(([r, times]) => `crm.lead.add?fields[TITLE]=${r.repeat(times)}`),
  fc.tuple(fc.string({ maxLength: 30 })).map(([title]) => `crm.lead.add?fields[TITLE]=${encodeURIComponent(title)}&fields[CONTACT_ID]=1010`),
  ref.map((r) => `crm.lead.get?id=${r}`),
  id.map((i) => `crm.lead.get?id=${i}&auth=${SOAK_TOKEN}`),
  ref.map((r) => `crm.contact.get?id=${r}`),
  fc.tuple(id, id).map(([lead, contact]) => `crm.lead.contact.add?id=${lead}&fields[CONTACT_ID]=${contact}&auth=${SOAK_TOKEN}`),
  fc.array(id, { maxLength: 5 }).map((ids) => `crm.lead.contact.items.set?id=1&${ids.map((c, i) => `items[${i}][CONTACT_ID]=${c}`).join('&')}`),
  id.map((i) => `crm.lead.contact.items.get?id=${i}`),
  fc.constant('batch?cmd[x]=crm.lead.contact.fields'),
  fc.string({ maxLength: 40 }),
);

/** A batch body: up to 60 commands (so some lie past the 50th), keyed or listed, as JSON or as a form. */
export const randomBatch = fc
  .record({
    commands: fc.array(command, { minLength: 1, maxLength: 60 }),
    listed: fc.boolean(),
    halt: fc.boolean(),
    asForm: fc.boolean(),
  })
  .map(({ commands, listed, halt, asForm }) => {
    const cmd = listed ? commands : Object.fromEntries(commands.map((line, i) => [`k${i}`, line]));
    if (!asForm) return { type: 'application/json', body: JSON.stringify({ cmd, halt: halt ? 1 : 0, auth: SOAK_TOKEN }) };
    const pairs = Object.entries(cmd).map(([k, line]) => `cmd[${listed ? '' : k}]=${encodeURIComponent(line)}`);
    return { type: 'application/x-www-form-urlencoded', body: [...pairs, `halt=${halt ? 1 : 0}`, `auth=${SOAK_TOKEN}`].join('&') };
  });

/** Any body: text, JSON, form pairs, or a large padded call (up to 1 MiB) that a method rejects. */
export const randomBody = fc.oneof(
  fc.record({ type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', ''), body: fc.string({ maxLength: 200 }) }),
  fc.record({ type: fc.constant('application/json'), body: fc.json({ maxDepth: 4 }) }),
  fc.integer({ min: 256 * 1024, max: 1024 * 1024 }).map((size) => ({
    type: 'application/x-www-form-urlencoded',
    body: `id=x&auth=${SOAK_TOKEN}&fields[pad]=${'p'.repeat(size)}`,
  })),
);

export const randomMethod = fc.constantFrom('crm.lead.contact.add', 'crm.lead.contact.items.set', 'crm.lead.add', 'crm.contact.get', 'crm.lead.contact.nosuch');
