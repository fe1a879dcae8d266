import { createBitrix24Client, type Bitrix24Client } from '../../client/client.js';
import { leadContactScenarios, runScenarios, type ScenarioRecords } from '../../scenarios/lead-contact-scenarios.js';
import { eventScenarios } from '../../scenarios/event-scenarios.js';
import { recordScenarios } from '../../scenarios/record-scenarios.js';
import type { PortalConnection } from './connection.js';
import { checkResponse, type PortalAnswer, type Violation } from './contract-checks.js';
import type { Report } from './report.js';

const USER_AGENT = 'b24-lead-contact-verify/0.2';

/** An answer body as far as verify reads it. */
type PortalJson = { result?: unknown; error?: unknown; error_description?: unknown } | undefined;

const describeError = (error: unknown) => {
  const { message, cause } = error as Error & { cause?: { code?: string; message?: string } };
  return `${message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
};

/** One raw call to the portal: JSON POST, no redirects followed, 60 s at most. */
export async function callPortal(
  connection: PortalConnection,
  method: string,
  params: Record<string, unknown> = {},
): Promise<PortalAnswer & { json?: PortalJson }> {
  const body = connection.kind === 'oauth' ? { ...params, auth: connection.token } : params;
  const response = await fetch(`${connection.base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let json: PortalJson;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    location: response.headers.get('location') ?? undefined,
    body: text,
    json,
  };
}

/** Calls a contract method, checks the answer and records it; returns the answer. */
async function checked(
  connection: PortalConnection,
  report: Report,
  method: string,
  label: string,
  params: Record<string, unknown>,
  expect?: (answer: PortalAnswer & { json?: PortalJson }) => string | null,
) {
  try {
    const answer = await callPortal(connection, method, params);
    const violations = checkResponse(method, answer);
    if (expect && violations.length === 0) {
      const problem = expect(answer);
      if (problem) violations.push({ path: '(behaviour)', message: problem });
    }
    report.add(method, `${label} → HTTP ${answer.status}`, violations);
    return answer;
  } catch (error) {
    report.add(method, label, [{ path: '(transport)', message: describeError(error) }]);
    return undefined;
  }
}

const isSuccess = (answer: PortalAnswer) =>
  answer.status === 200 ? null : `expected HTTP 200, got ${answer.status} ${(answer as { json?: PortalJson }).json?.error ?? ''}`.trim();

export async function runReadOnly(connection: PortalConnection, report: Report, { lead }: { lead?: string }) {
  await checked(connection, report, 'crm.lead.contact.fields', 'describe the link fields', {}, isSuccess);
  if (lead) await checked(connection, report, 'crm.lead.contact.items.get', `contacts of lead ${lead}`, { id: Number(lead) }, isSuccess);
  else report.note('no lead given (--lead ID or B24_LEAD_ID): items.get of a real lead skipped');
  await checked(connection, report, 'crm.lead.contact.items.get', 'lead id 0 (an error answer)', { id: 0 }, (a) =>
    a.status >= 400 ? null : `expected an error, got HTTP ${a.status}`,
  );
}

/** A record id as the portal must answer it: a positive integer, or its decimal string. */
function recordId(result: unknown): number | undefined {
  if (typeof result === 'number' && Number.isSafeInteger(result) && result > 0) return result;
  if (typeof result === 'string' && /^[1-9]\d{0,15}$/.test(result)) return Number(result);
  return undefined;
}

/** Stops the write run before any change, naming what the portal answered. */
class UnusableAnswer extends Error {}

/**
 * A client whose every answer is checked against the contract and reported under the scenario
 * that is running (the label), with one attempt per call so the portal's answers are seen as they are.
 */
function checkingClient(connection: PortalConnection, report: Report, label: () => string, { allowInsecureHttp, rateLimit }: WriteOptions): Bitrix24Client {
  const checkingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.text();
    const method = new URL(String(input)).pathname
      .split('/')
      .pop()!
      .replace(/\.json$/, '');
    report.add(
      method,
      `${label()} → HTTP ${response.status}`,
      checkResponse(method, {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: text,
        location: response.headers.get('location') ?? undefined,
      }),
    );
    return new Response(text, { status: response.status, headers: response.headers });
  };
  const common = { fetch: checkingFetch, retry: false as const, allowInsecureHttp, rateLimit, operationTimeLimit: { failFast: true } };
  return connection.kind === 'webhook'
    ? createBitrix24Client({ webhookUrl: connection.webhookUrl!, ...common })
    : createBitrix24Client({ portal: connection.origin, accessToken: connection.token!, ...common });
}

/** How the write run's client talks to the portal: plain `http://` allowed, and the rate plan it paces by. */
export interface WriteOptions {
  allowInsecureHttp?: boolean;
  rateLimit?: 'standard' | 'enterprise' | false;
}

/**
 * Creates a temporary lead and three contacts, runs the lead–contact scenarios on them (every answer
 * checked against the contract, every rule reported), then deletes exactly what it created. Any id it
 * receives must be a positive integer it created, or it stops before changing anything.
 */
export async function runWrite(connection: PortalConnection, report: Report, options: WriteOptions = {}) {
  const stamp = `b24-lead-contact verify ${new Date().toISOString()}`;
  const created: Array<['crm.lead.delete' | 'crm.contact.delete', number]> = [];
  const create = async (method: 'crm.lead.add' | 'crm.contact.add', fields: Record<string, unknown>) => {
    const answer = await callPortal(connection, method, { fields });
    if (answer.status !== 200)
      throw new UnusableAnswer(`${method} failed: HTTP ${answer.status} ${answer.json?.error ?? ''} ${answer.json?.error_description ?? ''}`);
    const cleanup = method === 'crm.lead.add' ? 'crm.lead.delete' : 'crm.contact.delete';
    const id = recordId(answer.json?.result);
    const again = id !== undefined && created.some(([kind, known]) => kind === cleanup && known === id);
    if (id === undefined || again) {
      // Number(true) is 1: acting on such an "id" would change a record this run never made.
      const got = answer.body.length > 200 ? `${answer.body.slice(0, 200)}…` : answer.body;
      throw new UnusableAnswer(
        `${method} answered ${got || '(empty body)'}: ${again ? `id ${id} again` : 'no new record id (a positive integer)'}; stopping before any change. ` +
          `If it made a record anyway, find it by "${stamp}" and delete it by hand`,
      );
    }
    created.push([cleanup, id]);
    return id;
  };
  try {
    const lead = await create('crm.lead.add', { TITLE: stamp });
    const contacts = [
      await create('crm.contact.add', { NAME: 'Verify A', LAST_NAME: stamp }),
      await create('crm.contact.add', { NAME: 'Verify B', LAST_NAME: stamp }),
      await create('crm.contact.add', { NAME: 'Verify C', LAST_NAME: stamp }),
    ] as const;
    report.note(`created lead ${lead} and contacts ${contacts.join(', ')}`);
    await checked(connection, report, 'crm.lead.get', `the new lead ${lead}`, { id: lead }, isSuccess);
    let current = 'prepare';
    const client = checkingClient(connection, report, () => current, options);
    const records: ScenarioRecords = { lead, contacts, marker: stamp };
    // The event rules read the app's offline queue: only an app's OAuth token may (a webhook gets WRONG_AUTH_TYPE).
    const events = connection.token ? eventScenarios : [];
    if (!connection.token) report.note('event rules skipped: they need an app OAuth token (--token), not a webhook');
    for (const scenario of [...leadContactScenarios, ...recordScenarios, ...events]) {
      current = `rule: ${scenario.rule}`;
      const [outcome] = await runScenarios(client, records, [scenario]);
      const violations: Violation[] = outcome?.mismatch ? [{ path: `(rule, ${scenario.source})`, message: outcome.mismatch }] : [];
      report.add('(scenario)', scenario.rule, violations);
    }
  } catch (error) {
    report.add('(setup)', 'create the temporary records', [
      { path: '(setup)', message: error instanceof UnusableAnswer ? error.message : describeError(error) },
    ]);
  } finally {
    // Only what this run created, each on its own, so one failed delete does not stop the rest.
    for (const [method, id] of created) {
      try {
        const answer = await callPortal(connection, method, { id });
        report.note(`cleanup: ${method} ${id} → HTTP ${answer.status}`);
        if (answer.status !== 200)
          report.add(method, `cleanup of ${id}`, [{ path: '(cleanup)', message: `HTTP ${answer.status}; delete record ${id} by hand` }]);
      } catch (error) {
        report.add(method, `cleanup of ${id}`, [{ path: '(cleanup)', message: `${describeError(error)}; delete record ${id} by hand` }]);
      }
    }
  }
}
