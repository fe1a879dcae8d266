#!/usr/bin/env node
// `npm run verify`: checks a real Bitrix24 portal against the contract (src/dev/verify, built to dist).
//
//   npm run verify -- --lead 123          read-only: crm.lead.contact.fields and items.get of lead 123
//   npm run verify -- --write             also creates a temporary lead and three contacts, runs the
//                                         lead–contact scenarios on them, and deletes what it created
//   npm run verify -- --proxy --port 4020 a local proxy in front of the portal: point your own app at
//                                         http://127.0.0.1:4020 and read the violations it reports
//
// Credentials come from the environment: B24_WEBHOOK_URL (https://{portal}/rest/{userId}/{code}/), or
// B24_PORTAL + B24_ACCESS_TOKEN for an OAuth app; B24_LEAD_ID may replace --lead. Secrets never reach
// the report. Plain http:// portals are refused unless --allow-http is given (for local fakes).
// Exit codes: 0 every answer conforms, 1 a violation (or a failed call), 2 missing or bad settings.
import { parseArgs } from 'node:util';

const { UsageError, connectionFromEnv, mask } = await import('../dist/lib/src/dev/verify/connection.js');
const { contract } = await import('../dist/lib/src/dev/verify/contract-checks.js');
const { createReport } = await import('../dist/lib/src/dev/verify/report.js');
const { runReadOnly, runWrite } = await import('../dist/lib/src/dev/verify/portal-runs.js');
const { startProxy } = await import('../dist/lib/src/dev/verify/checking-proxy.js');

const HELP = `Checks a Bitrix24 portal against the crm.lead.contact.* contract.

Set either
  B24_WEBHOOK_URL=https://your-portal.bitrix24.com/rest/1/your-webhook-code/
    (Bitrix24: Developer resources → Other → Inbound webhook, with the crm scope)
or
  B24_PORTAL=your-portal.bitrix24.com  B24_ACCESS_TOKEN=<OAuth access token>

Then
  npm run verify -- --lead 123           read-only checks (or set B24_LEAD_ID)
  npm run verify -- --write              also create, link, unlink and delete temporary records
  npm run verify -- --proxy --port 4020  check your own app's traffic through a local proxy`;

async function main(argv) {
  let args;
  try {
    ({ values: args } = parseArgs({
      args: argv,
      options: {
        lead: { type: 'string' },
        write: { type: 'boolean', default: false },
        proxy: { type: 'boolean', default: false },
        port: { type: 'string', default: '4020' },
        'allow-http': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error.message}\n\n${HELP}`);
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const connection = connectionFromEnv(process.env, { allowHttp: args['allow-http'] });
  if (!connection) throw new UsageError(`No portal credentials in the environment.\n\n${HELP}`);
  if (!/^\d+$/.test(args.port) || Number(args.port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(args.port)}`);
  const lead = args.lead ?? process.env.B24_LEAD_ID;
  if (lead !== undefined && !/^\d+$/.test(lead)) throw new UsageError(`--lead must be a lead id (digits), got ${JSON.stringify(lead)}`);
  const report = createReport(connection.secrets);
  console.log(mask(`Portal ${connection.origin} (${connection.kind}), contract ${contract.info.version}`, connection.secrets));

  if (args.proxy) {
    const proxy = await startProxy(connection, report, { port: Number(args.port) });
    // Listening for the signals before the address is printed: a caller may stop us as soon as it reads it.
    const stopped = new Promise((resolveStop) => {
      process.once('SIGINT', resolveStop);
      process.once('SIGTERM', resolveStop);
    });
    console.log(`Proxy listening on ${proxy.url} → ${connection.origin}. Point your app at it; Ctrl+C prints the summary.`);
    await stopped;
    await proxy.close();
  } else {
    await runReadOnly(connection, report, { lead });
    if (args.write) await runWrite(connection, report, { allowInsecureHttp: args['allow-http'] });
  }
  console.log(`\n${report.summary()}`);
  return report.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const secrets = [process.env.B24_ACCESS_TOKEN, /\/rest\/\d+\/([^/]+)/.exec(process.env.B24_WEBHOOK_URL ?? '')?.[1]];
    console.error(mask(error instanceof UsageError ? error.message : `verify failed: ${error.message}`, secrets, false));
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
