import type { paths } from '../../generated/schema.js';
import type { ListMethodName, MethodName, MethodNameTree } from '../../generated/methods.js';
import type { ItemCalls, ItemMethodName, ItemMethodParams } from './item-params.js';
import type { FieldsOf, ListQuery, ListRecordOf, RecordListMethodName, Selectable } from './list-params.js';
import type { RetryOptions } from './retry.js';

type Operation<M extends MethodName> = paths[`/${M}`]['post'];
type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;

type WithoutAuth<Body> = Omit<Body, 'auth'>;

/**
 * Parameters of a Bitrix24 method as the client takes them (the OAuth `auth` key is the client's job).
 * A method without parameters takes only `{}`: an empty object type would accept any object.
 */
export type MethodParams<M extends MethodName> = M extends ItemMethodName
  ? // crm.item.* is typed by entityTypeId from the generated record kinds: a union over the kinds.
    ItemMethodParams<M>
  : M extends ListMethodName
    ? // A list method's select/filter/order are typed from its record's fields (generated), not left as open maps.
      Omit<WithoutAuth<JsonBody<Operation<M>>>, keyof ListQuery<never>> & ListQuery<FieldsOf<M>>
    : keyof WithoutAuth<JsonBody<Operation<M>>> extends never
      ? Record<string, never>
      : WithoutAuth<JsonBody<Operation<M>>>;

/** The `result` a Bitrix24 method returns on success. */
export type MethodResult<M extends MethodName> = Operation<M>['responses'][200]['content']['application/json']['result'];

type SuccessBody<M extends MethodName> = Operation<M>['responses'][200]['content']['application/json'];

/**
 * One page of a list method: its records, how many match (`0` after `start: -1`) and the next page's
 * `start`. For `crm.lead.list` and `crm.contact.list` the records carry what selection `S` brings
 * (see {@link ListRecordOf}).
 */
export type ListPage<M extends ListMethodName, S extends readonly string[] | undefined = undefined> = M extends RecordListMethodName
  ? { result: Array<ListRecordOf<M, S>>; total?: number; next?: number }
  : Pick<SuccessBody<M>, 'result' | 'total' | 'next'>;

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
export type MethodCall<M extends MethodName> = M extends ItemMethodName
  ? ItemCalls<CallOptions>[M]
  : M extends RecordListMethodName
    ? // Generic over the selection, so the page's records carry exactly the selected fields.
      <const S extends readonly Selectable<M>[] | undefined = undefined>(
        params?: MethodParams<M> & { select?: S },
        options?: CallOptions,
      ) => Promise<ListPage<M, S>>
    : // Methods whose parameters are all optional (e.g. crm.lead.contact.fields) may be called bare.
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
 * Maps a tree of method names to a tree of `Leaf<method>`. Homomorphic over the generated
 * {@link MethodNameTree}, so each method keeps the contract's JSDoc (`@deprecated`) where it is called.
 */
export type TreeOf<Names, Leaf extends { [M in MethodName]: unknown }> = {
  readonly [K in keyof Names]: Names[K] extends MethodName ? Leaf[Names[K]] : TreeOf<Names[K], Leaf>;
};

/**
 * The methods of the contract as nested objects: `crm.lead.contact.add` becomes
 * `tree.crm.lead.contact.add(...)`. Derived from the generated types, so a new method in the
 * contract appears here after `npm run generate` with no code written for it.
 */
export type MethodTree = TreeOf<MethodNameTree, { [M in MethodName]: MethodCall<M> }>;

/**
 * Builds the runtime object behind a method tree: `tree.crm.lead.get` is `leaf('crm.lead.get')`,
 * made on first use from the path read. No list of methods is shipped, so an app's bundle does not
 * grow with the contract; the {@link MethodTree} type says which paths exist. `root` holds the
 * tree's own members (the client's `call`). A node's own keys, symbols, `then` (so a tree is not
 * taken for a promise), `toJSON`, `toString` and `valueOf` (so printing or serializing a tree sends
 * nothing) never name a method. Inherited function members do: `event.bind` and `placement.bind` are
 * Bitrix24 methods, not `Function.prototype.bind`.
 */
const NOT_PATHS = new Set(['then', 'toJSON', 'toString', 'valueOf']);

export function methodTree<Tree>(leaf: (method: MethodName) => unknown, root: object = {}): Tree {
  const nodes = new Map<string, object>();
  const node = (path: string, target: object): object =>
    new Proxy(target, {
      get(on, key, receiver) {
        if (typeof key === 'symbol' || NOT_PATHS.has(key) || Object.hasOwn(on, key)) return Reflect.get(on, key, receiver);
        const method = path ? `${path}.${key}` : key;
        let child = nodes.get(method);
        if (!child) nodes.set(method, (child = node(method, leaf(method as MethodName) as object)));
        return child;
      },
    });
  return node('', root) as Tree;
}
