// The `verify` command: reads flags and the environment, then runs the read-only checks, the write
// scenarios or the checking proxy. scripts/verify.mjs only calls runVerifyCli on the built module.
import { parseArgs } from 'node:util';
import { startProxy } from './checking-proxy.js';
import { connectionFromEnv, mask, secretsFromEnv, UsageError } from './connection.js';
import { contract } from './contract-checks.js';
import { runReadOnly, runWrite } from './portal-runs.js';
import { createReport } from './report.js';

export const HELP = `Checks a Bitrix24 portal against the crm.lead.contact.* contract.

Set either
  B24_WEBHOOK_URL=https://your-portal.bitrix24.com/rest/1/your-webhook-code/
    (Bitrix24: Developer resources → Other → Inbound webhook, with the crm scope)
or
  B24_PORTAL=your-portal.bitrix24.com  B24_ACCESS_TOKEN=<OAuth access token>

Then
  npm run verify -- --lead 123           read-only checks (or set B24_LEAD_ID)
  npm run verify -- --write              also create, link, unlink and delete temporary records
  npm run verify -- --proxy --port 4020  check your own app's traffic through a local proxy

Options
  --plan standard|enterprise|off         the portal's rate plan the --write calls are paced by
                                         (default standard: 2 requests a second after a burst of 45)`;

/** The flags of `verify`, checked; a {@link UsageError} names the flag that is wrong. */
export interface VerifyFlags {
  lead?: string;
  write: boolean;
  proxy: boolean;
  port: number;
  allowHttp: boolean;
  /** The rate plan the write run's client paces its calls by; `false` sends them unpaced (a local sandbox). */
  plan: VerifyPlan;
  help: boolean;
}

/** What `--plan` takes: a rate plan of the portal, or `off` for a local sandbox without a bucket. */
export type VerifyPlan = 'standard' | 'enterprise' | false;
const PLANS: Record<string, VerifyPlan> = { standard: 'standard', enterprise: 'enterprise', off: false };

const FLAGS = {
  lead: { type: 'string' },
  write: { type: 'boolean', default: false },
  proxy: { type: 'boolean', default: false },
  port: { type: 'string', default: '4020' },
  'allow-http': { type: 'boolean', default: false },
  plan: { type: 'string', default: 'standard' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The raw flags; an unknown or malformed one is a {@link UsageError} followed by the help text. */
function readFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FLAGS }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}

/** Parses the command line and `B24_LEAD_ID`; throws a {@link UsageError} that names the flag and the rule. */
export function parseVerifyFlags(argv: string[], env: Record<string, string | undefined>): VerifyFlags {
  const values = readFlags(argv);
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  const lead = values.lead ?? env.B24_LEAD_ID;
  if (lead !== undefined && !/^\d+$/.test(lead)) throw new UsageError(`--lead must be a lead id (digits), got ${JSON.stringify(lead)}`);
  if (!Object.hasOwn(PLANS, values.plan)) throw new UsageError(`--plan must be standard, enterprise or off, got ${JSON.stringify(values.plan)}`);
  const plan = PLANS[values.plan] as VerifyPlan;
  return { lead, write: values.write, proxy: values.proxy, port: Number(values.port), allowHttp: values['allow-http'], plan, help: values.help };
}

/** Resolves on the first SIGINT or SIGTERM; listening starts at once, before anything is printed. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Runs verify and answers its exit code: 0 every answer conforms, 1 a violation or a failed call. */
async function run(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const flags = parseVerifyFlags(argv, env);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const connection = connectionFromEnv(env, { allowHttp: flags.allowHttp });
  if (!connection) throw new UsageError(`No portal credentials in the environment.\n\n${HELP}`);
  const report = createReport(connection.secrets);
  console.log(mask(`Portal ${connection.origin} (${connection.kind}), contract ${contract.info.version}`, connection.secrets));

  if (flags.proxy) {
    const proxy = await startProxy(connection, report, { port: flags.port });
    // Listening for the signals before the address is printed: a caller may stop us as soon as it reads it.
    const stopped = signalled();
    console.log(`Proxy listening on ${proxy.url} → ${connection.origin}. Point your app at it; Ctrl+C prints the summary.`);
    await stopped;
    await proxy.close();
  } else {
    await runReadOnly(connection, report, { lead: flags.lead });
    if (flags.write) await runWrite(connection, report, { allowInsecureHttp: flags.allowHttp, rateLimit: flags.plan });
  }
  console.log(`\n${report.summary()}`);
  return report.failed ? 1 : 0;
}

/**
 * `npm run verify`: checks a real Bitrix24 portal against the contract and answers the exit code
 * (0 conforms, 1 a violation or a failed call, 2 missing or bad settings). Every line it prints is
 * masked: the webhook code and tokens never reach the output.
 */
export async function runVerifyCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  try {
    return await run(argv, env);
  } catch (error) {
    const usage = error instanceof UsageError;
    console.error(mask(usage ? error.message : `verify failed: ${(error as Error)?.message ?? String(error)}`, secretsFromEnv(env), false));
    return usage ? 2 : 1;
  }
}
