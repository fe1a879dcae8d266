import { expect } from 'vitest';
import { responseValidators } from '../../generated/validators.js';
import { describeViolations, violationsOf } from '../../src/wire/violations.js';

/** The contract's error envelope (`{ error, error_description }`), for answers no method documents. */
const errorEnvelope = responseValidators['crm.lead.contact.fields']!['400']!;
/** Answers about the HTTP exchange rather than the method (timeouts, size caps): any method may get them. */
const TRANSPORT_STATUSES = new Set([408, 413, 431]);

/**
 * Fails unless an answer the sandbox produced is one the contract allows: a contract method's answer
 * against that method's response schema for the status, any other error against the error envelope.
 */
export function expectContractAnswer(method: string | undefined, status: number, body: unknown): void {
  const byStatus = method === undefined ? undefined : responseValidators[method];
  const validate = byStatus?.[String(status)] ?? ((!byStatus || TRANSPORT_STATUSES.has(status)) && status >= 400 ? errorEnvelope : undefined);
  if (byStatus) expect(validate, `the contract documents no ${status} answer for ${method}`).toBeDefined();
  if (!validate) return;
  if (!validate(body)) {
    throw new Error(`${method ?? 'answer'} ${status} breaks the contract: ${describeViolations(violationsOf(validate.errors))}\n${JSON.stringify(body)}`);
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** Sends a request with global fetch and checks the answer against the contract (`method` names the Bitrix24 method). */
export async function send(url: string, init: RequestInit = {}, method?: string): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const body = text === '' ? undefined : JSON.parse(text);
  if (body !== undefined) expectContractAnswer(method, response.status, body);
  return { status: response.status, headers: response.headers, text, body };
}

/** POSTs JSON. */
export const postJson = (url: string, params: unknown, method?: string) =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) }, method);
