import type { paths } from '../../generated/schema.js';
import type { ListMethodName, MethodName } from '../../generated/methods.js';
import type { FieldsOf, ListQuery } from './list-params.js';
import type { RetryOptions } from './retry.js';

type Operation<M extends MethodName> = paths[`/${M}`]['post'];
type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;

type WithoutAuth<Body> = Omit<Body, 'auth'>;

/**
 * Parameters of a Bitrix24 method as the client takes them (the OAuth `auth` key is the client's job).
 * A method without parameters takes only `{}`: an empty object type would accept any object.
 */
export type MethodParams<M extends MethodName> = M extends ListMethodName
  ? // A list method's select/filter/order are typed from its record's fields (generated), not left as open maps.
    Omit<WithoutAuth<JsonBody<Operation<M>>>, keyof ListQuery<never>> & ListQuery<FieldsOf<M>>
  : keyof WithoutAuth<JsonBody<Operation<M>>> extends never
    ? Record<string, never>
    : WithoutAuth<JsonBody<Operation<M>>>;

/** The `result` a Bitrix24 method returns on success. */
export type MethodResult<M extends MethodName> = Operation<M>['responses'][200]['content']['application/json']['result'];

type SuccessBody<M extends MethodName> = Operation<M>['responses'][200]['content']['application/json'];

/** One page of a list method: its records, how many match (`0` after `start: -1`) and the next page's `start`. */
export type ListPage<M extends ListMethodName> = Pick<SuccessBody<M>, 'result' | 'total' | 'next'>;

/** What a call of the method resolves to: `result`, or for a list method the page with `total` and `next`. */
export type MethodAnswer<M extends MethodName> = M extends ListMethodName ? ListPage<M> : MethodResult<M>;

/** Per-call options; they override the client's. */
export interface CallOptions {
  /** Aborts the call (and any waiting or retrying it does). */
  signal?: AbortSignal;
  /** Longest wait for one HTTP answer of this call, per attempt. */
  timeoutMs?: number;
  /** Retry settings for this call; `false` sends it once (for methods that must not repeat). */
  retry?: false | RetryOptions;
}

/** One Bitrix24 method as a function: parameters in, `result` (a page for list methods) out, a `Bitrix24Error` on failure. */
export type MethodCall<M extends MethodName> =
  // Methods whose parameters are all optional (e.g. crm.lead.contact.fields) may be called bare.
  {} extends MethodParams<M>
    ? (params?: MethodParams<M>, options?: CallOptions) => Promise<MethodAnswer<M>>
    : (params: MethodParams<M>, options?: CallOptions) => Promise<MethodAnswer<M>>;

/** `'crm.lead.contact.add'` → `['crm', 'lead', 'contact', 'add']`. */
export type Split<S extends string> = S extends `${infer Head}.${infer Rest}` ? [Head, ...Split<Rest>] : [S];
/** `['crm', 'lead']` and `Leaf` → `{ crm: { lead: Leaf } }`. */
export type Nest<Keys extends string[], Leaf> = Keys extends [infer Head extends string, ...infer Rest extends string[]]
  ? { readonly [K in Head]: Nest<Rest, Leaf> }
  : Leaf;
/** Merges the one-method trees of a union into one tree. */
export type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void ? I : never;

/**
 * The methods of the contract as nested objects: `crm.lead.contact.add` becomes
 * `tree.crm.lead.contact.add(...)`. Derived from the generated types, so a new method in the
 * contract appears here after `npm run generate` with no code written for it.
 */
export type MethodTree = UnionToIntersection<{ [M in MethodName]: Nest<Split<M>, MethodCall<M>> }[MethodName]>;

/** Names a method tree never treats as a path: `then` (a client must not look like a promise) and `toJSON`. */
const NOT_PATHS = new Set(['then', 'toJSON']);

/**
 * The runtime object behind a method tree: any chain of names under `base` is the method of that
 * dotted path (`tree.crm.lead.contact.add` calls `leaf('crm.lead.contact.add')`), built on first use
 * and kept. No method name is shipped, so methods added to the contract add no bytes to an app; the
 * types ({@link MethodTree}) say which paths exist. Used for the client's methods and for `cmd`.
 */
export function methodTree<Tree>(leaf: (method: MethodName) => unknown, base: object = {}): Tree {
  const branch = (target: object, path?: string) => {
    const children = new Map<string, unknown>();
    return new Proxy(target, {
      get(node, key) {
        if (typeof key !== 'string' || key in node || NOT_PATHS.has(key)) return Reflect.get(node, key);
        let child = children.get(key);
        if (!child) {
          const method = (path ? `${path}.${key}` : key) as MethodName;
          children.set(key, (child = branch(leaf(method) as object, method)));
        }
        return child;
      },
    });
  };
  return branch(base) as Tree;
}
