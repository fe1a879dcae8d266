// A tab on the lead card (placement CRM_LEAD_DETAIL_TAB): it shows the lead's title and its linked
// contacts, primary first. The portal opens it in a frame and passes the lead's id in the placement
// options; connectFrame() gets the frame's token from the portal, and the typed client does the rest.
//
// Run it locally, in the sandbox's frame host:   npm run example:lead-tab   (then open the printed frame URL)
// The guide, and how to install it on a portal: docs/frame.md. Chromium runs it in npm test
// (test/browser/frame-host.test.ts).
import { connectFrame } from '../../src/frame.js'; // in your app: 'b24-lead-contact/frame'
import { createBitrix24Client } from '../../src/index.js'; // in your app: 'b24-lead-contact'

const item = (text: string, className = '') => Object.assign(document.createElement('li'), { textContent: text, className });

export async function showLeadContacts(root: HTMLElement): Promise<void> {
  const frame = await connectFrame();
  const id = Number(frame.placement.options.ID);
  if (frame.placement.name !== 'CRM_LEAD_DETAIL_TAB' || !Number.isInteger(id) || id < 1) {
    root.textContent = 'Open this app from the tab of a lead card.';
    return;
  }
  const client = createBitrix24Client(frame.connection);
  const [lead, links] = await Promise.all([client.crm.lead.get({ id }), client.crm.lead.contact.items.get({ id })]);
  const contacts = await Promise.all(links.map(async (link) => ({ link, contact: await client.crm.contact.get({ id: link.CONTACT_ID }) })));
  contacts.sort((a, b) => Number(b.link.IS_PRIMARY === 'Y') - Number(a.link.IS_PRIMARY === 'Y') || a.link.SORT - b.link.SORT);
  const title = Object.assign(document.createElement('h2'), { textContent: lead.TITLE ?? `Lead ${id}` });
  const list = document.createElement('ul');
  for (const { link, contact } of contacts) {
    const name = [contact.NAME, contact.LAST_NAME].filter(Boolean).join(' ') || `Contact ${link.CONTACT_ID}`;
    list.append(item(link.IS_PRIMARY === 'Y' ? `${name} (primary)` : name, link.IS_PRIMARY === 'Y' ? 'primary' : ''));
  }
  root.replaceChildren(title, contacts.length > 0 ? list : 'No contacts are linked to this lead.');
  // Tell the portal how tall the tab's content is (fitWindow in the official SDK).
  await frame.send('resizeWindow', { width: '100%', height: document.body.scrollHeight });
}

const root = document.getElementById('app');
if (root) showLeadContacts(root).catch((error: unknown) => (root.textContent = `Could not load the lead: ${(error as Error).message}`));
