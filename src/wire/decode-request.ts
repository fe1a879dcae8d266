import { checkDepth, decodeBracketForm, type ParameterCount } from './bracket-form.js';
import { coerceToSchema, requestSchemaOf, type Contract } from './contract.js';
import { isRecord } from './json-pointer.js';
import { DEFAULT_LIMITS, type WireLimits } from './limits.js';
import type { MethodTarget } from './method-url.js';
import { WireError } from './wire-error.js';

/** One Bitrix24 call as read off the wire. */
export interface DecodedCall {
  method: string;
  /** The parameters, query string and body merged, numbers of form values restored. */
  params: Record<string, unknown>;
  /** The OAuth access token (`auth` in the body or query), if one was sent. */
  auth?: string;
  /** Form and query parameters read, counted against `maxParameters` (a batch's commands add theirs). */
  parameterCount: number;
}

export interface RawRequest {
  /** HTTP method: GET, HEAD or POST. */
  httpMethod: string;
  target: MethodTarget;
  contentType: string;
  body: string;
}

/**
 * Reads the parameters of a call the way Bitrix24 does: a JSON body, a form body or the query string
 * (bracket nesting in both), with query parameters such as `?auth=` merged under the body's. Form and
 * query values are typed by the method's request schema, when the contract has the method.
 * Throws a 4xx {@link WireError} for a body it cannot read.
 */
export function decodeRequest(contract: Contract, request: RawRequest, limits: WireLimits = DEFAULT_LIMITS): DecodedCall {
  const { target } = request;
  const httpMethod = request.httpMethod.toUpperCase();
  if (httpMethod !== 'POST' && httpMethod !== 'GET' && httpMethod !== 'HEAD') {
    throw new WireError(405, 'ERROR_METHOD_NOT_ALLOWED', `HTTP method ${httpMethod} is not supported; use POST or GET.`);
  }
  const schema = requestSchemaOf(contract, target.method);
  const budget: ParameterCount = { used: 0 };
  const fromText = (text: string) => coerceToSchema(contract, decodeBracketForm(text, limits, budget), schema) as Record<string, unknown>;
  const query = target.query.size > 0 ? fromText(target.query.toString()) : {};
  let body: Record<string, unknown> = {};
  const type = request.contentType.split(';')[0]!.trim().toLowerCase();
  if (httpMethod === 'POST' && request.body.trim() !== '') {
    if (type === 'application/x-www-form-urlencoded') {
      body = fromText(request.body);
    } else if (type === 'multipart/form-data') {
      throw new WireError(400, '', 'multipart/form-data bodies are not read here; send JSON or application/x-www-form-urlencoded.');
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.body);
      } catch (error) {
        throw new WireError(400, '', `The request body is not valid JSON (${(error as Error).message}).`);
      }
      if (!isRecord(parsed)) throw new WireError(400, '', 'The request body must be a JSON object of parameters.');
      checkDepth(parsed, limits.maxDepth);
      body = parsed;
    }
  }
  const params = { ...query, ...body };
  const auth = typeof params.auth === 'string' && params.auth !== '' ? params.auth : undefined;
  return { method: target.method, params, ...(auth ? { auth } : {}), parameterCount: budget.used };
}
