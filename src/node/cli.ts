#!/usr/bin/env node
// `npx b24-lead-contact sandbox`: the stateful Bitrix24 sandbox over HTTP, for test suites in any language.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkAdminToken, isLoopback } from './admin-exposure.js';
import { serveAppFolder } from './app-folder.js';
import { startSandbox } from './sandbox-server.js';
import { readFrameQuery } from '../sandbox/frame-routes.js';
import type { Seed } from '../sandbox/portal-state.js';
import { checkSeed, SeedError } from '../sandbox/seed-check.js';

const DEFAULT_PORT = 4040;
/** A seed within the record caps is a few MiB of JSON; a larger file is a mistake, refused before it is read. */
const MAX_SEED_FILE_BYTES = 64 * 1024 * 1024;
/** Where the admin token may come from instead of the command line (which other users can list). */
const TOKEN_ENV = 'B24_SANDBOX_ADMIN_TOKEN';

const USAGE = `Usage: b24-lead-contact sandbox [--port N] [--host H] [--seed file.json] [--admin-token T] [--handler-host NAME]…
                                [--app URL|FOLDER [--placement CODE] [--options JSON] [--mode get|post]]

Serves a stateful Bitrix24 sandbox (crm.lead.contact.*, crm.lead.*, crm.contact.*, crm.item.*, event.*, batch) over HTTP.

Options:
  --port N          TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1); beyond loopback the admin API needs a token
  --admin-token T   token the admin API requires (16+ visible characters; or set ${TOKEN_ENV});
                    made up and printed at start when --host is not a loopback address
  --seed FILE       JSON file with the records to start from: { "leads": [1], "contacts": [1010] }
  --handler-host H  a host event handlers may be on besides loopback addresses (repeatable)
  --app URL|FOLDER  an in-portal app to open in the frame host: its dev server's URL, or a folder of
                    static files (served on a port of its own and opened with GET); prints the address
  --placement CODE  where the app is shown (default DEFAULT), e.g. CRM_LEAD_DETAIL_TAB
  --options JSON    the placement options, e.g. '{"ID":"1"}' for a lead card tab
  --mode get|post   how the app's page is loaded: post (the portal's form, the default for a URL) or
                    get (for dev servers that answer a POST with 404, such as Vite's; a folder's default)
  -h, --help        show this text

Each webhook code is its own portal: http://HOST:PORT/rest/1/<any code>/crm.lead.contact.add
Admin API (reset, seed, journal, faults, state, tokens): http://HOST:PORT/__sandbox/, for test code and
terminals only: web pages of other origins are refused, and the token goes in X-Sandbox-Token or
Authorization: Bearer.
Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not listen, 2 bad arguments or seed file.`;

/** A mistake in how the CLI was called: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'admin-token': { type: 'string' },
  seed: { type: 'string' },
  'handler-host': { type: 'string', multiple: true },
  app: { type: 'string' },
  placement: { type: 'string' },
  options: { type: 'string' },
  mode: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: OPTIONS,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true as const };
  if (positionals.length === 0) throw new UsageError('Name a command: b24-lead-contact sandbox');
  if (positionals[0] !== 'sandbox' || positionals.length > 1)
    throw new UsageError(`Unknown command "${positionals.join(' ')}"; the only command is "sandbox".`);
  const portText = values.port ?? String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${portText}".`);
  if (values.host === '') throw new UsageError('--host must not be empty.');
  const givenToken = values['admin-token'] ?? process.env[TOKEN_ENV];
  if (givenToken !== undefined) {
    try {
      checkAdminToken(givenToken, values['admin-token'] === undefined ? TOKEN_ENV : '--admin-token');
    } catch (error) {
      throw new UsageError(`${(error as Error).message}.`);
    }
  }
  if ((values.placement !== undefined || values.options !== undefined || values.mode !== undefined) && values.app === undefined) {
    throw new UsageError('--placement, --options and --mode need --app.');
  }
  return {
    help: false as const,
    app: values.app === undefined ? undefined : readApp(values.app, values.placement, values.options, values.mode),
    port: Number(portText),
    host: values.host ?? '127.0.0.1',
    adminToken: givenToken,
    seed: values.seed === undefined ? undefined : readSeed(values.seed),
    handlerHosts: values['handler-host'] ?? [],
  };
}

/** `--app`: a URL as it is, or an existing folder to serve; the placement and options checked as the host checks them. */
function readApp(app: string, placement: string | undefined, options: string | undefined, mode: string | undefined) {
  const isUrl = /^https?:\/\//i.test(app);
  if (!isUrl && !statSync(app, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--app must be an http:// or https:// URL or an existing folder, got "${app.slice(0, 80)}".`);
  }
  const query = new URLSearchParams({ app: isUrl ? app : 'http://127.0.0.1/' });
  if (placement !== undefined) query.set('placement', placement);
  if (options !== undefined) query.set('options', options);
  if (mode !== undefined) query.set('mode', mode);
  let checked: ReturnType<typeof readFrameQuery>;
  try {
    checked = readFrameQuery(query);
  } catch (error) {
    throw new UsageError(`--${/^(placement|options|mode)/.exec((error as Error).message)?.[1] ?? 'app'}: ${(error as Error).message}`);
  }
  // A folder is served for GET only, as a portal loads a static app.
  const chosen = isUrl ? (mode === undefined ? undefined : checked.mode) : 'get';
  return { url: isUrl ? checked.app : undefined, folder: isUrl ? undefined : app, placement: checked.placement, options: checked.options, mode: chosen };
}

function readSeed(file: string): Seed {
  let text: string;
  try {
    const { size } = statSync(file);
    if (size > MAX_SEED_FILE_BYTES) throw new UsageError(`The seed file ${file} is ${size} bytes; at most ${MAX_SEED_FILE_BYTES} are accepted.`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const { code } = error as NodeJS.ErrnoException;
    throw new UsageError(
      `Cannot read the seed file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable')}.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The seed file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return checkSeed(value);
  } catch (error) {
    if (error instanceof SeedError) throw new UsageError(`The seed file ${file} is not a valid seed: ${error.message}`);
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`b24-lead-contact: ${error.message}\nRun "b24-lead-contact --help" for the options.`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const { port, host, seed, adminToken, handlerHosts, app } = args;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port,
      host,
      ...(seed ? { seed } : {}),
      ...(adminToken === undefined ? {} : { adminToken }),
      ...(handlerHosts.length > 0 ? { handlerHosts } : {}),
    });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    console.error(
      code === 'EADDRINUSE'
        ? `b24-lead-contact: port ${port} on ${host} is already in use; choose another with --port (0 picks a free one).`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `b24-lead-contact: cannot listen on host ${host} (${code}); use an address of this machine, e.g. 127.0.0.1.`
          : code === 'EACCES'
            ? `b24-lead-contact: not allowed to listen on port ${port}; use a port above 1023.`
            : `b24-lead-contact: could not start the sandbox: ${message}`,
    );
    process.exitCode = 1;
    return;
  }
  // Before the URLs are printed: a caller may signal as soon as it reads them, and without a
  // listener the signal's default action would end the process with no exit code.
  const folder = app?.folder === undefined ? undefined : await serveAppFolder(app.folder, { host: isLoopback(host) ? host : '127.0.0.1' });
  const stop = () => {
    void Promise.all([sandbox.close(), folder?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`Bitrix24 sandbox listening on ${sandbox.url}`);
  console.log(`  webhook: ${sandbox.webhookUrl}   (any other code in /rest/1/<code>/ is a separate portal)`);
  console.log(`  OAuth:   ${sandbox.oauthUrl}   (send any token as auth)`);
  console.log(`  admin:   ${sandbox.adminUrl}${sandbox.adminToken === undefined ? '' : '   (send the admin token as X-Sandbox-Token)'}`);
  if (app) {
    const appUrl = folder?.url ?? (app.url as string);
    if (folder) console.log(`  app:     ${appUrl}   (${app.folder}, static)`);
    const frame = sandbox.frameUrl(appUrl, { placement: app.placement, options: app.options, ...(app.mode ? { mode: app.mode } : {}) });
    console.log(`  frame:   ${frame}   (open it in a browser)`);
  }
  if (!isLoopback(host)) {
    console.warn(`WARNING: listening on ${host}, beyond loopback: anyone who can reach this address can call every portal. The admin API requires the token.`);
  }
  // A token the caller chose is theirs already and stays out of the log; a made-up one is shown once.
  if (sandbox.adminToken !== undefined && adminToken === undefined) console.log(`  admin token: ${sandbox.adminToken}`);
  console.log('Press Ctrl+C to stop.');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`b24-lead-contact: ${(error as Error).message}`);
  process.exitCode = 1;
});
