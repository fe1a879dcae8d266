// Bundle size: the same tiny browser app (link contact 1010 to lead 1, show the result), bundled and
// minified by esbuild for the browser, with each way of calling Bitrix24; raw and gzip bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const show = `.then((r) => { document.body.textContent = String(r); })`;
const WEBHOOK = `location.origin + '/rest/1/code/'`;

/** name → [note, app source]; each app is an ES module importing from the package (or nothing). */
export const apps = {
  'bare fetch': [
    'fetch + JSON, no error handling (the floor)',
    `fetch(${WEBHOOK} + 'crm.lead.contact.add', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 1, fields: { CONTACT_ID: 1010 } }) }).then((r) => r.json()).then((b) => b.result)${show};`,
  ],
  'b24-lead-contact': [
    'createBitrix24Client + client.crm.lead.contact.add',
    `import { createBitrix24Client } from 'b24-lead-contact';
    createBitrix24Client({ webhookUrl: ${WEBHOOK} }).crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })${show};`,
  ],
  'b24-lead-contact + batch': [
    'the same app sending the link through batch(client, cmd…)',
    `import { batch, createBitrix24Client, cmd } from 'b24-lead-contact';
    batch(createBitrix24Client({ webhookUrl: ${WEBHOOK} }), { a: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }) })
      .then((o) => o.a.ok && o.a.result)${show};`,
  ],
  '@bitrix24/b24jssdk (B24Hook)': [
    'B24Hook.fromWebhookUrl + actions.v2.call.make',
    `import { B24Hook } from '@bitrix24/b24jssdk';
    B24Hook.fromWebhookUrl(${WEBHOOK}).actions.v2.call.make({ method: 'crm.lead.contact.add', params: { id: 1, fields: { CONTACT_ID: 1010 } } })
      .then((r) => r.getData().result)${show};`,
  ],
  '@bitrix24/b24jssdk (B24Frame)': [
    'initializeB24Frame + actions.v2.call.make (the SDK’s in-portal app form)',
    `import { initializeB24Frame } from '@bitrix24/b24jssdk';
    initializeB24Frame().then((b24) => b24.actions.v2.call.make({ method: 'crm.lead.contact.add', params: { id: 1, fields: { CONTACT_ID: 1010 } } }))
      .then((r) => r.getData().result)${show};`,
  ],
};

/**
 * Where the bytes of a bundle come from: each input module's minified bytes in the output, largest
 * first (gzip works on the whole file, so a module's share of the gzip size is roughly its share of these).
 * @param {import('esbuild').Metafile} metafile
 */
function breakdown(metafile) {
  const [output] = Object.values(metafile.outputs);
  return Object.entries(output.inputs)
    .map(([module, { bytesInOutput }]) => ({ module: module.replace(/^.*node_modules\//, ''), bytes: bytesInOutput }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * @param {{ root: string, outDir: string }} options
 */
export async function measureBundles({ root, outDir }) {
  mkdirSync(outDir, { recursive: true });
  const rows = [];
  for (const [name, [note, source]] of Object.entries(apps)) {
    const result = await build({
      stdin: { contents: source, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      // The package's own name resolves to its source entry (the same code dist/lib is compiled from).
      alias: { 'b24-lead-contact': join(root, 'src', 'index.ts') },
      metafile: true,
    });
    const code = result.outputFiles[0].contents;
    writeFileSync(join(outDir, `${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.js`), code);
    const row = { name, note, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs).length };
    if (name.startsWith('b24-lead-contact')) row.modules = breakdown(result.metafile);
    rows.push(row);
  }
  rows.push({ name: '@2bad/bitrix', note: 'not measurable: built on got (Node-only), no browser build', rawBytes: null, gzipBytes: null, inputs: null });
  return { rows };
}
