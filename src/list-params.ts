import type { ListMethodName } from '../generated/methods.js';
import type { RecordFieldTypes } from '../generated/record-fields.js';

/** Filter prefixes that compare with one value (none means `=`). */
type OnePrefix = '' | '=' | '!' | '!=' | '>' | '>=' | '<' | '<=' | '%' | '=%' | '%=' | '!%' | '!%=' | '!=%';
/** Filter prefixes that take a list of values. */
type ListPrefix = '@' | '!@';

/** A custom field's name: its kind is the portal's, so any value passes. */
type CustomField = `UF_${string}`;

/**
 * A `filter` of a list method over fields `F`: every key a field name with an optional operator
 * prefix; `@`/`!@` take a list, `=` a value or a list, the rest one value of the field's type.
 * Keys outside `F` fail to compile unless they name a custom field (`UF_CRM_…`).
 */
export type ListFilter<F> = {
  [K in keyof F & string as `${Exclude<OnePrefix, '' | '=' | '!' | '!='>}${K}`]?: F[K];
} & {
  [K in keyof F & string as `${'' | '='}${K}`]?: F[K] | readonly F[K][] | null;
} & {
  [K in keyof F & string as `${'!' | '!='}${K}`]?: F[K] | null;
} & {
  [K in keyof F & string as `${ListPrefix}${K}`]?: readonly F[K][];
} & {
  [key: `${OnePrefix | ListPrefix}${CustomField}`]: unknown;
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
