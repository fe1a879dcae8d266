import type { ItemEntityTypes } from '../../generated/item-fields.js';
import type { MethodName } from '../../generated/methods.js';
import type { components } from '../../generated/schema.js';
import type { ListFilter, SortDirection } from './list-params.js';

type Schemas = components['schemas'];

/** The `crm.item.*` methods of the contract. */
export type ItemMethodName = Extract<MethodName, `crm.item.${string}`>;

/** The record kinds `crm.item.*` is typed for: `1` lead, `3` contact. */
export type ItemEntityTypeId = keyof ItemEntityTypes;

/** The documented properties of a schema type, without the index signature of `additionalProperties`. */
export type KnownFields<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** A custom field (`ufCrm…`, `UF_CRM_…` with `useOriginalUfNames`) or a smart-process link (`parentId{N}`). */
export type ItemCustomField = `ufCrm${string}` | `UF_CRM_${string}` | `parentId${number}`;

/** A record of kind `E` as `crm.item.*` sends it, every documented field. */
export type ItemRecord<E extends ItemEntityTypeId> = KnownFields<ItemEntityTypes[E]['item']> & { id: number };

/** The standard field names of kind `E`. */
export type ItemFieldName<E extends ItemEntityTypeId> = keyof KnownFields<ItemEntityTypes[E]['item']> & string;

/** The fields a caller may write: every documented field but the read-only ones, plus custom fields. */
type WritableFields<E extends ItemEntityTypeId> = {
  [K in Exclude<ItemFieldName<E>, ItemEntityTypes[E]['readOnly']>]?: ItemRecord<E>[K];
} & { [K in ItemCustomField]?: unknown };

/** `fields` of `crm.item.add` for kind `E`: `fm` is a list of new entries, each with its `typeId`. */
export type ItemAddFields<E extends ItemEntityTypeId> = WritableFields<E> & { fm?: readonly Schemas['ItemMultiFieldNew'][] };

/**
 * `fm` of `crm.item.update`: `n0`, `n1`, … add an entry; an entry's id changes it, or deletes it with
 * `value: ''`. Never an array (a portal would append it), hence `length?: never`.
 */
export type ItemMultiFieldEdits = { [key: `n${number}`]: Schemas['ItemMultiFieldNew'] } & {
  [id: `${number}`]: Schemas['ItemMultiFieldEdit'];
} & { length?: never };

/** `fields` of `crm.item.update` for kind `E`: only what changes. */
export type ItemUpdateFields<E extends ItemEntityTypeId> = WritableFields<E> & { fm?: ItemMultiFieldEdits };

/** What every `crm.item.*` call takes: the kind, and how custom fields are named. */
interface ItemKind<E extends ItemEntityTypeId> {
  entityTypeId: E;
  /** `Y` names custom fields `UF_CRM_…` in the answer; `N` (default) `ufCrm…`. */
  useOriginalUfNames?: 'Y' | 'N';
}

/** A field `select` may name for kind `E`: a standard one (`fm` comes only with `*`), `*`, or a custom one. */
export type ItemSelectable<E extends ItemEntityTypeId> = Exclude<ItemFieldName<E>, 'fm'> | '*' | ItemCustomField;

/** The value a filter compares a field of kind `E` with: one element of a multiple field, never `null` itself. */
type FilterValues<E extends ItemEntityTypeId> = {
  [K in Exclude<ItemFieldName<E>, 'fm'>]: NonNullable<ItemRecord<E>[K]> extends readonly (infer V)[] ? V : NonNullable<ItemRecord<E>[K]>;
};

/** A `filter` of `crm.item.list` for kind `E`: every prefix, custom fields, and numbered groups (`logic: 'OR'`). */
export type ItemFilter<E extends ItemEntityTypeId> = ListFilter<FilterValues<E>, ItemCustomField> & {
  [group: `${number}`]: ItemFilter<E> & { logic?: 'AND' | 'OR' | 'and' | 'or' };
};

/** An `order` of `crm.item.list` for kind `E`. */
export type ItemOrder<E extends ItemEntityTypeId> = { [K in Exclude<ItemFieldName<E>, 'fm'>]?: SortDirection } & {
  [K in ItemCustomField]?: SortDirection;
};

/** Parameters of `crm.item.list` for kind `E` and selection `S`. */
export interface ItemListParams<E extends ItemEntityTypeId, S extends readonly ItemSelectable<E>[] | undefined = undefined> extends ItemKind<E> {
  /** Field names or `*`; left out, every field (assumed: the vendor does not say). */
  select?: S;
  filter?: ItemFilter<E>;
  order?: ItemOrder<E>;
  /** `0`, `50`, …; `-1` skips counting `total`. */
  start?: number;
}

/** Parameters of each `crm.item.*` method for kind `E`. */
export interface ItemParams<E extends ItemEntityTypeId> {
  'crm.item.add': ItemKind<E> & { fields: ItemAddFields<E> };
  'crm.item.get': ItemKind<E> & { id: number };
  'crm.item.update': ItemKind<E> & { id: number; fields: ItemUpdateFields<E> };
  'crm.item.delete': { entityTypeId: E; id: number };
  'crm.item.fields': ItemKind<E>;
  'crm.item.list': ItemListParams<E, readonly ItemSelectable<E>[] | undefined>;
}

/** Parameters of a `crm.item.*` method, for any kind (a union discriminated by `entityTypeId`). */
export type ItemMethodParams<M extends ItemMethodName> = { [E in ItemEntityTypeId]: ItemParams<E>[M] }[ItemEntityTypeId];

/**
 * A record of a `crm.item.list` page for kind `E` and selection `S`: every field when `select` is left
 * out or holds `*`, otherwise exactly the selected ones and `id`, so reading a field not selected
 * fails to compile.
 */
export type ItemSelected<E extends ItemEntityTypeId, S extends readonly string[] | undefined> = S extends readonly string[]
  ? '*' extends S[number]
    ? ItemRecord<E>
    : S extends readonly []
      ? ItemRecord<E>
      : Pick<ItemRecord<E>, S[number] & keyof ItemRecord<E>> & { id: number } & { [K in S[number] & ItemCustomField]: unknown }
  : ItemRecord<E>;

/** One page of `crm.item.list`: the records under `result.items`, how many match, the next page's `start`. */
export interface ItemListPage<E extends ItemEntityTypeId, S extends readonly string[] | undefined> {
  result: { items: Array<ItemSelected<E, S>> };
  /** How many match; `0` after `start: -1`. */
  total?: number;
  /** The `start` of the next page, while more remain. */
  next?: number;
}

/** The fields answer of `crm.item.fields` for kind `E`: every standard field, and the portal's custom ones. */
export interface ItemFieldsAnswer<E extends ItemEntityTypeId> {
  fields: { [K in ItemFieldName<E>]: Schemas['ItemFieldDescription'] } & { [name: string]: Schemas['ItemFieldDescription'] };
}

/** The `crm.item.*` calls, generic over the kind so each answer is typed by it. */
export interface ItemCalls<O> {
  'crm.item.add': <E extends ItemEntityTypeId>(params: ItemParams<E>['crm.item.add'], options?: O) => Promise<{ item: ItemRecord<E> }>;
  'crm.item.get': <E extends ItemEntityTypeId>(params: ItemParams<E>['crm.item.get'], options?: O) => Promise<{ item: ItemRecord<E> }>;
  'crm.item.update': <E extends ItemEntityTypeId>(params: ItemParams<E>['crm.item.update'], options?: O) => Promise<{ item: ItemRecord<E> }>;
  'crm.item.delete': <E extends ItemEntityTypeId>(params: ItemParams<E>['crm.item.delete'], options?: O) => Promise<[]>;
  'crm.item.fields': <E extends ItemEntityTypeId>(params: ItemParams<E>['crm.item.fields'], options?: O) => Promise<ItemFieldsAnswer<E>>;
  'crm.item.list': <E extends ItemEntityTypeId, const S extends readonly ItemSelectable<E>[] | undefined = undefined>(
    params: ItemListParams<E, S>,
    options?: O,
  ) => Promise<ItemListPage<E, S>>;
}
