import { documentedError } from './contract-data.js';
import type { RecordKind } from './record-fields.js';

/**
 * The `crm.item.*` names of a lead's and a contact's fields, and how each maps onto the store the
 * legacy methods keep (one store, two views: a field a `crm.item` call writes is the UPPER_CASE
 * field `crm.lead.get` reads). Names and order follow the vendor's object-fields page and the
 * `crm.item.get` example.
 */

/** How a value reads in the `crm.item` view. */
export type Shape =
  /** an id or user id: a JSON integer, `null` when unset */
  | 'id'
  /** a user id: a JSON integer, `0` when the store holds none */
  | 'user'
  /** a link id that reads `0` when unset (a lead's `companyId`, `contactId`) */
  | 'id0'
  /** an amount: a JSON number */
  | 'number'
  /** ISO-8601 with offset; a stored `YYYY-MM-DD` reads at midnight UTC */
  | 'datetime'
  | 'text'
  /** `"Y"` / `"N"`; unset reads as the portal's default (`opened` and `export` `Y`, the rest `N`) */
  | 'flag'
  /** a list of ids */
  | 'ids'
  /** a field the vendor documents as disabled: always `null` */
  | 'disabled'
  /** derived from other fields (phones, links, stage); never written */
  | 'computed';

export interface ItemField {
  /** The camelCase name `crm.item.*` uses. */
  name: string;
  /** The UPPER_CASE field of the store (what `crm.lead.*` / `crm.contact.*` read and write). */
  upper: string;
  shape: Shape;
  readOnly: boolean;
}

/** The entity types the sandbox keeps; any other `entityTypeId` answers `NOT_FOUND`. */
export const ENTITY_TYPE_IDS: Readonly<Record<RecordKind, number>> = { lead: 1, contact: 3 };

/** The record kind of an `entityTypeId`, or the documented `NOT_FOUND`. */
export function kindOfEntityType(entityTypeId: unknown): RecordKind {
  const id = Number(entityTypeId);
  if (id === ENTITY_TYPE_IDS.lead) return 'lead';
  if (id === ENTITY_TYPE_IDS.contact) return 'contact';
  throw documentedError('entityTypeNotFound');
}

/** Names whose UPPER_CASE form is not the plain snake case of the camelCase one. */
const RENAMED: Readonly<Record<string, string>> = {
  stageId: 'STATUS_ID',
  stageSemanticId: 'STATUS_SEMANTIC_ID',
  createdTime: 'DATE_CREATE',
  updatedTime: 'DATE_MODIFY',
  createdBy: 'CREATED_BY_ID',
  updatedBy: 'MODIFY_BY_ID',
  movedBy: 'MOVED_BY_ID',
};

/** `assignedById` → `ASSIGNED_BY_ID`: the `upperName` crm.item.fields gives each field. */
export const snakeUpper = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The flat phone and e-mail names: read-only copies of the first `fm` value of their kind. */
export const ALIASES: Readonly<Record<string, { typeId: string; valueType?: string; empty: '' | null }>> = {
  phoneMobile: { typeId: 'PHONE', valueType: 'MOBILE', empty: '' },
  phoneWork: { typeId: 'PHONE', valueType: 'WORK', empty: '' },
  phoneMailing: { typeId: 'PHONE', valueType: 'MAILING', empty: '' },
  emailHome: { typeId: 'EMAIL', valueType: 'HOME', empty: '' },
  emailWork: { typeId: 'EMAIL', valueType: 'WORK', empty: '' },
  emailMailing: { typeId: 'EMAIL', valueType: 'MAILING', empty: '' },
  skype: { typeId: 'IM', valueType: 'SKYPE', empty: null },
  icq: { typeId: 'IM', valueType: 'ICQ', empty: null },
  imol: { typeId: 'IM', valueType: 'IMOL', empty: '' },
  email: { typeId: 'EMAIL', empty: '' },
  phone: { typeId: 'PHONE', empty: '' },
};

// name:shape, a trailing `!` marks read-only. The order is the order a `crm.item.get` answer has.
const LEAD = `id:id! createdTime:datetime! updatedTime:datetime! createdBy:user!
  updatedBy:user! assignedById:user opened:flag companyId:id0 contactId:id0 stageId:text isConvert:disabled! statusDescription:text
  stageSemanticId:computed! productId:disabled! opportunity:number currencyId:text sourceId:text sourceDescription:text title:text
  name:text lastName:text secondName:text shortName:disabled! companyTitle:text post:text address:disabled! comments:text
  webformId:id0 originatorId:text originId:text dateClosed:datetime! birthdate:datetime honorific:text hasPhone:computed!
  hasEmail:computed! hasImol:computed! login:disabled! isReturnCustomer:computed! isManualOpportunity:flag
  movedBy:user! movedTime:datetime! lastActivityBy:user! lastActivityTime:datetime! ALIASES fm:computed UF utmSource:text
  utmMedium:text utmCampaign:text utmContent:text utmTerm:text observers:ids contactIds:ids entityTypeId:computed!`;

const CONTACT = `id:id! createdTime:datetime! updatedTime:datetime! createdBy:user! updatedBy:user! assignedById:user opened:flag
  companyId:id0 sourceId:text sourceDescription:text honorific:text name:text secondName:text lastName:text shortName:disabled!
  photo:text post:text address:disabled! comments:text leadId:id export:flag typeId:text originatorId:text originId:text
  originVersion:text birthdate:datetime hasPhone:computed! hasEmail:computed! hasImol:computed! searchContent:computed!
  categoryId:id0 webformId:id0 login:disabled! lastActivityBy:user! lastActivityTime:datetime! ALIASES fm:computed UF utmSource:text
  utmMedium:text utmCampaign:text utmContent:text utmTerm:text observers:ids companyIds:ids entityTypeId:computed!`;

/** Where the aliases, `fm` and the custom fields sit among the others in an answer. */
export type Slot = ItemField | 'aliases' | 'uf';

function parseLayout(layout: string): Slot[] {
  return layout
    .split(/\s+/)
    .filter(Boolean)
    .map((token): Slot => {
      if (token === 'ALIASES') return 'aliases';
      if (token === 'UF') return 'uf';
      const [name, spec] = token.split(':') as [string, string];
      const readOnly = spec.endsWith('!');
      return { name, upper: RENAMED[name] ?? snakeUpper(name), shape: spec.replace('!', '') as Shape, readOnly };
    });
}

/** Every field of each kind in answer order, the aliases and custom fields as slots. */
export const ITEM_LAYOUT: Readonly<Record<RecordKind, readonly Slot[]>> = { lead: parseLayout(LEAD), contact: parseLayout(CONTACT) };

const byName = (kind: RecordKind) =>
  new Map(ITEM_LAYOUT[kind].filter((slot): slot is ItemField => typeof slot === 'object').map((field) => [field.name, field]));
const BY_NAME: Readonly<Record<RecordKind, ReadonlyMap<string, ItemField>>> = { lead: byName('lead'), contact: byName('contact') };

/** A standard field of `kind` by its camelCase name (aliases and custom fields are not in it). */
export const itemField = (kind: RecordKind, name: string): ItemField | undefined => BY_NAME[kind].get(name);

/** Every standard field of `kind` by camelCase name. */
export const itemFields = (kind: RecordKind): ReadonlyMap<string, ItemField> => BY_NAME[kind];

const UF_PREFIX = 'UF_CRM_';

/**
 * A stored custom field's `crm.item` name (the vendor's rule on the crm.item index page):
 * `UF_CRM_10_DIGIT` → `ufCrm10Digit`, `UF_CRM_3_1747309727` → `ufCrm3_1747309727`; a simplified
 * name (a part mixing letters and digits, or no entity number) keeps its tail: `UF_CRM_1747309879`
 * → `ufCrm_1747309879`, `UF_CRM_3_DIGIT10` → `ufCrm_3_DIGIT10`.
 */
export function ufItemName(upper: string): string {
  const parts = upper.slice(UF_PREFIX.length).split('_');
  const regular = parts.length > 1 && /^\d+$/.test(parts[0]!) && parts.every((part) => /^\d+$/.test(part) || /^[A-Z]+$/.test(part));
  if (!regular) return `ufCrm_${upper.slice(UF_PREFIX.length)}`;
  return `ufCrm${parts[0]}${parts
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `_${part}` : `${part[0]}${part.slice(1).toLowerCase()}`))
    .join('')}`;
}

/** The stored name of a `crm.item` custom field name (`ufCrm…`, or `UF_CRM_…` as `useOriginalUfNames` sends it); undefined for other names. */
export function ufStoreName(name: string): string | undefined {
  if (name.startsWith(UF_PREFIX)) return name;
  if (name.startsWith('ufCrm_')) return `${UF_PREFIX}${name.slice('ufCrm_'.length)}`;
  if (!/^ufCrm[0-9A-Z]/.test(name)) return undefined;
  const tokens = name.slice('ufCrm'.length).match(/_?\d+|[A-Z][a-z]*|[a-z]+/g) ?? [];
  return `${UF_PREFIX}${tokens.map((token) => token.replace(/^_/, '').toUpperCase()).join('_')}`;
}

/** Whether a stored field is a custom field. */
export const isCustomField = (upper: string) => upper.startsWith(UF_PREFIX);
