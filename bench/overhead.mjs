// Per-call overhead: sequential crm.lead.contact.add calls against the same loopback server, our
// client next to a bare fetch and the two SDKs, interleaved round by round; the median round counts.
import { createRequire } from 'node:module';
import { serveInChild } from './serve.mjs';

const require = createRequire(import.meta.url);
const METHOD = 'crm.lead.contact.add';
const PARAMS = { id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Each contender is `{ name, note, call }` where `call()` makes one call and resolves with its `result`. */
async function contenders(webhookUrl, ours) {
  const origin = new URL(webhookUrl).origin;
  const url = `${webhookUrl}${METHOD}`;
  const list = [];

  list.push({
    name: 'bare fetch',
    note: 'POST JSON, read JSON, return result (the floor)',
    call: async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(PARAMS),
      });
      return (await response.json()).result;
    },
  });

  const client = ours.createBitrix24Client({ webhookUrl, allowInsecureHttp: true, rateLimit: false });
  list.push({ name: 'b24-lead-contact', note: 'rateLimit: false', call: () => client.crm.lead.contact.add(PARAMS) });

  const { B24Hook } = await import('@bitrix24/b24jssdk');
  // Typed loosely: the benchmark reaches into the SDK's HTTP client, which its typings do not describe.
  const sdk = /** @type {any} */ (
    new B24Hook(
      { b24Url: origin, userId: 1, secret: 'benchwebhookcode' },
      {
        restrictionParams: {
          rateLimit: { burstLimit: 1e9, drainRate: 1e9, adaptiveEnabled: false },
          adaptiveConfig: { enabled: false, thresholdPercent: 100, coefficient: 0, maxDelay: 0 },
          maxRetries: 1,
        },
      },
    )
  );
  // B24Hook always builds https:// URLs; the loopback server speaks plain HTTP.
  sdk.getHttpClient('v2').ajaxClient.interceptors.request.use((config) => ({ ...config, url: config.url.replace('https://', 'http://') }));
  list.push({
    name: '@bitrix24/b24jssdk',
    note: 'B24Hook, actions.v2.call.make, limiter off, https→http interceptor',
    call: async () => (await sdk.actions.v2.call.make({ method: METHOD, params: PARAMS })).getData().result,
  });

  // @2bad/bitrix hard-codes a p-queue of 2 requests per second; its call() is measured on the same
  // got instance without that queue (the shipped client cannot go faster than 2 calls/s).
  const got = /** @type {any} */ (require('got'));
  const makeCall = /** @type {any} */ (require('@2bad/bitrix/build/main/client/methods/call.js')).default;
  const http = got.extend({ prefixUrl: webhookUrl, headers: { 'user-agent': '@2bad/bitrix' }, responseType: 'json' });
  const twoBad = makeCall({ get: (...args) => http.get(...args) });
  list.push({ name: '@2bad/bitrix', note: 'its call() on got without its 2 req/s queue (GET + qs)', call: async () => (await twoBad(METHOD, PARAMS)).result });
  return list;
}

// Measures the shipped @2bad/bitrix client, queue included, over a few calls.
async function twoBadAsShipped(webhookUrl, calls) {
  const { Bitrix } = /** @type {any} */ (require('@2bad/bitrix'));
  const bitrix = Bitrix(webhookUrl.replace(/\/$/, ''));
  const started = performance.now();
  for (let i = 0; i < calls; i++) await bitrix.call(METHOD, PARAMS);
  return (calls * 1000) / (performance.now() - started);
}

/**
 * @param {{ ours: any, rounds?: number, callsPerRound?: number, warmup?: number, log?: (line: string) => void }} options
 */
export async function measureOverhead({ ours, rounds = 9, callsPerRound = 1000, warmup = 300, log = () => {} }) {
  const server = await serveInChild();
  try {
    const list = await contenders(server.webhookUrl, ours);
    for (const contender of list) {
      const result = await contender.call();
      if (result !== true) throw new Error(`${contender.name} returned ${JSON.stringify(result)}, expected true`);
      for (let i = 0; i < warmup; i++) await contender.call();
    }
    /** @type {Map<string, number[]>} */
    const perRound = new Map(list.map((c) => [c.name, []]));
    const BLOCK = 50;
    for (let round = 0; round < rounds; round++) {
      // Contenders take turns in blocks of 50 calls, in a rotating order, so a change in background
      // load during a round hits all of them alike.
      /** @type {Map<string, number>} */
      const spent = new Map(list.map((c) => [c.name, 0]));
      for (let block = 0; block * BLOCK < callsPerRound; block++) {
        for (let i = 0; i < list.length; i++) {
          const contender = list[(i + block + round) % list.length];
          const started = performance.now();
          for (let call = 0; call < BLOCK; call++) await contender.call();
          spent.set(contender.name, (spent.get(contender.name) ?? 0) + performance.now() - started);
        }
      }
      for (const contender of list) perRound.get(contender.name)?.push((Math.ceil(callsPerRound / BLOCK) * BLOCK * 1000) / (spent.get(contender.name) ?? 0));
      log(`  round ${round + 1}/${rounds}`);
    }
    const floor = median(perRound.get('bare fetch'));
    const rows = list.map((contender) => {
      const callsPerSecond = median(perRound.get(contender.name));
      return {
        name: contender.name,
        note: contender.note,
        callsPerSecond: Math.round(callsPerSecond),
        microsPerCall: Math.round(1e6 / callsPerSecond),
        ratioToFetch: Number((callsPerSecond / floor).toFixed(3)),
        overheadPercent: Number(((floor / callsPerSecond - 1) * 100).toFixed(1)),
        rounds: (perRound.get(contender.name) ?? []).map(Math.round),
      };
    });
    log('  @2bad/bitrix as shipped (6 calls)');
    const shipped = await twoBadAsShipped(server.webhookUrl, 6);
    rows.push({
      name: '@2bad/bitrix as shipped',
      note: 'Bitrix(url).call with its built-in 2 req/s queue; 6 calls',
      callsPerSecond: Number(shipped.toFixed(2)),
      microsPerCall: Math.round(1e6 / shipped),
      ratioToFetch: Number((shipped / floor).toFixed(5)),
      overheadPercent: Number(((floor / shipped - 1) * 100).toFixed(0)),
      rounds: [],
    });
    return { rounds, callsPerRound, warmup, rows };
  } finally {
    await server.close();
  }
}
