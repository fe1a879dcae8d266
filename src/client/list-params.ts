import type { ListMethodName } from '../../generated/methods.js';
import type { RecordFieldTypes } from '../../generated/record-fields.js';
import type { components } from '../../generated/schema.js';

/** Filter prefixes that compare with one value (none means `=`). */
type OnePrefix = '' | '=' | '!' | '!=' | '>' | '>=' | '<' | '<=' | '%' | '=%' | '%=' | '!%' | '!%=' | '!=%';
/** Filter prefixes that take a list of values. */
type ListPrefix = '@' | '!@';

/** A custom field's name: its kind is the portal's, so any value passes. */
type CustomField = `UF_${string}`;

/**
 * A `filter` of a list method over fields `F`: every key a field name with an optional operator
 * prefix; `@`/`!@` take a list, `=` a value or a list, the rest one value of the field's type.
 * Keys outside `F` fail to compile unless they name a custom field (`UF_CRM_…`, or what `Custom` allows).
 */
export type ListFilter<F, Custom extends string = CustomField> = {
  [K in keyof F & string as `${Exclude<OnePrefix, '' | '=' | '!' | '!='>}${K}`]?: F[K];
} & {
  [K in keyof F & string as `${'' | '='}${K}`]?: F[K] | readonly F[K][] | null;
} & {
  [K in keyof F & string as `${'!' | '!='}${K}`]?: F[K] | null;
} & {
  [K in keyof F & string as `${ListPrefix}${K}`]?: readonly F[K][];
} & {
  [K in `${OnePrefix | ListPrefix}${Custom}`]?: unknown;
};

/** A sort direction as the list methods take it. */
export type SortDirection = 'ASC' | 'DESC' | 'asc' | 'desc';

/** The typed `select`, `filter`, `order` and `start` of a list method over fields `F`. */
export interface ListQuery<F> {
  /** Field names, `*` (standard fields), `UF_*` (custom fields); multiple fields only when named. */
  select?: ReadonlyArray<(keyof F & string) | '*' | 'UF_*' | CustomField>;
  filter?: ListFilter<F>;
  order?: { [K in keyof F & string]?: SortDirection } & { [key: CustomField]: SortDirection };
  /** Where the page begins: 0, 50, 100, …; `-1` skips counting `total`. */
  start?: number;
}

/** The fields of the records a list method returns, as named in its `*.fields` answer. */
export type FieldsOf<M extends ListMethodName> = M extends keyof RecordFieldTypes ? RecordFieldTypes[M] : Record<string, unknown>;

/** The list methods whose records use the legacy UPPER_CASE names (`crm.lead.list`, `crm.contact.list`). */
export type RecordListMethodName = ListMethodName & keyof RecordFieldTypes;

/** A name `select` takes for list method `M`: a field, `*`, `UF_*` or a custom field. */
export type Selectable<M extends RecordListMethodName> = (keyof FieldsOf<M> & string) | '*' | 'UF_*' | CustomField;

type RecordSchema<M extends RecordListMethodName> = components['schemas'][M extends 'crm.lead.list' ? 'LeadListRecord' : 'ContactListRecord'];
type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/** The documented fields of a list record, each typed as the list sends it. */
type RecordOf<M extends RecordListMethodName> = Known<RecordSchema<M>>;
/** What `*` brings: the standard fields that are not multiple (`PHONE`, `CONTACT_IDS`, … come only when named). */
type SingleFields<M extends RecordListMethodName> = {
  [K in keyof RecordOf<M> as NonNullable<RecordOf<M>[K]> extends readonly unknown[] ? never : K]: RecordOf<M>[K];
};
/** Named fields: typed as the list sends them where the schema lists them, `unknown` for the other documented ones. */
type Named<M extends RecordListMethodName, K extends string> = { [F in K & keyof RecordOf<M>]?: RecordOf<M>[F] } & {
  [F in Exclude<K, keyof RecordOf<M> | '*' | 'UF_*'>]?: unknown;
};

/**
 * A record of a `crm.lead.list` / `crm.contact.list` page for selection `S`, with exactly what the
 * portal sends: `ID` always (as text); with `select` left out or empty, `*` and `UF_*`; `*` brings the
 * standard fields that are not multiple, `UF_*` every custom field, and each named field itself. So
 * reading a field that was not selected, or is misspelt, fails to compile.
 */
export type ListRecordOf<M extends RecordListMethodName, S extends readonly string[] | undefined = undefined> = { ID: string } & (S extends readonly [
  string,
  ...string[],
]
  ? ('*' extends S[number] ? SingleFields<M> : unknown) & ('UF_*' extends S[number] ? { [key: CustomField]: unknown } : unknown) & Named<M, S[number]>
  : SingleFields<M> & { [key: CustomField]: unknown });
