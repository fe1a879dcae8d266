#!/usr/bin/env node
// `npm run verify`: checks a real Bitrix24 portal against the contract. The command lives in
// src/dev/verify/cli.ts (built to dist by `npm run verify`); this file only starts it.
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
const { runVerifyCli } = await import('../dist/lib/src/dev/verify/cli.js');
const code = await runVerifyCli(process.argv.slice(2), process.env);
// Exits once the summary is out rather than when the event loop empties: fetch keeps its idle
// connections to the portal open for seconds after the last call, and a stopped proxy would linger.
process.stdout.write('', () => process.exit(code));
