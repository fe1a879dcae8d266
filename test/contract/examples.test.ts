import { describe, expect, it } from 'vitest';
import { contractValidator, pointer } from '../support/contract-validator.js';
import { resolveRef, spec } from '../support/helpers.js';

const ajv = contractValidator();

interface ExampleCase {
  where: string;
  schemaRef: string;
  value: unknown;
}

/** Every request and response example in the contract, with the schema it must satisfy. */
function collectExamples(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const fromContent = (content: Record<string, any>, base: string[], where: string) => {
    for (const [mediaType, media] of Object.entries(content)) {
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        cases.push({
          where: `${where} ${mediaType} example ${name}`,
          schemaRef: pointer(...base, 'content', mediaType, 'schema'),
          value: resolveRef(example as object).value,
        });
      }
    }
  };
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const [verb, operation] of Object.entries<any>(item)) {
      if (operation.requestBody) {
        fromContent(operation.requestBody.content, ['paths', path, verb, 'requestBody'], `${path} request`);
      }
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        if (response.$ref) continue; // shared responses are checked once below
        fromContent(response.content ?? {}, ['paths', path, verb, 'responses', status], `${path} ${status}`);
      }
    }
  }
  for (const [name, response] of Object.entries<any>(spec.components.responses ?? {})) {
    fromContent(response.content ?? {}, ['components', 'responses', name], `response ${name}`);
  }
  return cases;
}

const cases = collectExamples();

describe('examples in the contract', () => {
  it('are found for every operation and shared response', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.where, c] as const))('%s matches its schema', (_where, example) => {
    const validate = ajv.getSchema(example.schemaRef) ?? ajv.compile({ $ref: example.schemaRef });
    const valid = validate(example.value);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the same check rejects a value that breaks the schema', () => {
    const request = cases.find((c) => c.where.startsWith('/crm.lead.contact.add request application/json'))!;
    const validate = ajv.compile({ $ref: request.schemaRef });
    expect(validate({ id: 'one', fields: { CONTACT_ID: 0 } })).toBe(false);
  });
});

/** The records every example is written against (openapi/README.md, "Example records"). */
const EXAMPLE_RECORDS = { leads: [1, 2], contacts: [1010, 1011, 1020] };
const example = (name: string) => spec.components.examples[name].value;

/** Lead and contact ids a request example names, in JSON and in batch command strings. */
function namedIds(method: string, value: any): { leads: number[]; contacts: number[] } {
  const contactsIn = (fields: any) =>
    [fields?.CONTACT_ID, ...(fields?.CONTACT_IDS ?? []), ...(fields?.contactIds ?? []), ...(value?.items ?? []).map((item: any) => item.CONTACT_ID)]
      .filter((id) => id !== undefined)
      .map(Number);
  if (method === 'batch') {
    const commands: string[] = Object.values(value.cmd);
    return commands
      .map((command) => {
        const [name = '', query = ''] = command.split('?');
        const params = new URLSearchParams(query);
        const ids = [params.get('id')].filter((id) => id !== null).map(Number);
        const contact = [params.get('fields[CONTACT_ID]')].filter((id) => id !== null && !id.startsWith('$')).map(Number);
        return name.startsWith('crm.contact.') ? { leads: [], contacts: [...ids, ...contact] } : { leads: ids, contacts: contact };
      })
      .reduce((all, one) => ({ leads: [...all.leads, ...one.leads], contacts: [...all.contacts, ...one.contacts] }), { leads: [], contacts: [] });
  }
  const own = value.id === undefined ? [] : [value.id];
  // crm.item.* names the record kind by entityTypeId: 3 is a contact.
  const isContact = method.startsWith('crm.contact.') || (method.startsWith('crm.item.') && value.entityTypeId === 3);
  return isContact ? { leads: [], contacts: own } : { leads: own, contacts: contactsIn(value.fields) };
}

describe('examples agree with one set of example records', () => {
  const requests = Object.entries<any>(spec.paths).flatMap(([path, item]) =>
    Object.entries<any>(item.post.requestBody?.content?.['application/json']?.examples ?? {}).map(
      ([name, ref]) => [`${path.slice(1)} ${name}`, path.slice(1), resolveRef(ref).value] as const,
    ),
  );

  it.each(requests)('%s names only example records', (_label, method, value) => {
    const ids = namedIds(method, value);
    for (const lead of ids.leads) expect(EXAMPLE_RECORDS.leads).toContain(lead);
    for (const contact of ids.contacts) expect(EXAMPLE_RECORDS.contacts).toContain(contact);
  });

  it('lead 1 reads back with the links items.get lists and the primary in CONTACT_ID', () => {
    const items: Array<{ CONTACT_ID: number; IS_PRIMARY: string }> = example('twoContacts').result;
    const lead = example('leadWithContacts').result;
    expect(lead.ID).toBe('1');
    expect(lead.CONTACT_IDS).toEqual(items.map((item) => item.CONTACT_ID));
    expect(lead.CONTACT_ID).toBe(String(items.find((item) => item.IS_PRIMARY === 'Y')?.CONTACT_ID));
  });

  it('lead 2 has no links, so the add examples aimed at it create links', () => {
    expect(example('leadWithoutContacts').result).toMatchObject({ ID: '2', CONTACT_ID: null, CONTACT_IDS: [] });
    for (const name of ['addPrimaryContact', 'addContactWithDefaults', 'addPrimaryContactOAuth']) expect(example(name).id).toBe(2);
  });

  it('new records get the id after the highest example record', () => {
    expect(example('leadCreated').result).toBe(Math.max(...EXAMPLE_RECORDS.leads) + 1);
    expect(example('contactCreated').result).toBe(Math.max(...EXAMPLE_RECORDS.contacts) + 1);
    expect(example('contactRecord').result.ID).toBe('1010');
  });
});
