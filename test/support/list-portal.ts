import { decodeBracketForm } from '../../src/wire/bracket-form.js';

/** One list record as a portal sends it: ids as text. */
export type ListRow = { ID: string } & Record<string, unknown>;

/** What the scripted portal does with one command: answer it (default), fail it, or answer this page. */
export type CommandScript = (command: {
  request: number;
  key: string;
  params: Record<string, any>;
}) => undefined | { error: string; error_description?: string } | { page: ListRow[] };

const TIME = { start: 1, finish: 2, duration: 1, processing: 1, date_start: '2026-01-01T00:00:00+00:00', date_finish: '2026-01-01T00:00:00+00:00' };
const REFERENCE = /^\$result\[([^\]]*)\](?:\[items\])?\[(\d+)\]\[(?:ID|id)\]$/;

/** A legacy row as crm.item.list sends the same lead: camelCase names, the id a number. */
const asItem = (row: ListRow): Record<string, unknown> => ({ id: Number(row.ID), title: row.TITLE, stageId: row.STATUS_ID });

/**
 * A `fetch` that answers `batch` requests of list commands over `rows` the way a portal runs them:
 * commands in order, `$result[key][i][ID]` resolved from earlier commands of the same batch (an
 * unresolvable one becomes `''`, which the filter then ignores, so the page restarts the window,
 * the hazard the reader must not hand out twice), `>ID`/`<ID` windows, plain equality for other
 * keys, `order` by ID, pages of 50 (`start: -1`), `select` honoured. `crm.item.list` commands see
 * the same rows as items (`id`, `title`, `stageId`) under `result.items`. Records every request.
 */
export function listPortal(rows: () => readonly ListRow[], script: CommandScript = () => undefined) {
  const requests: Array<{ halt: unknown; cmd: Record<string, string>; params: Record<string, Record<string, any>> }> = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = JSON.parse(await request.text());
    if (!request.url.endsWith('/batch')) throw new Error(`the list portal answers batch only, got ${request.url}`);
    const seen = { halt: body.halt, cmd: body.cmd as Record<string, string>, params: {} as Record<string, Record<string, any>> };
    requests.push(seen);
    const results: Record<string, Array<Record<string, unknown>>> = {};
    const answers: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const [key, line] of Object.entries(body.cmd as Record<string, string>)) {
      const params = decodeBracketForm(line.slice(line.indexOf('?') + 1)) as Record<string, any>;
      const item = line.startsWith('crm.item.list?');
      const id = item ? 'id' : 'ID';
      seen.params[key] = params;
      const filter: Record<string, string> = { ...(params.filter ?? {}) };
      for (const [name, value] of Object.entries(filter)) {
        const reference = REFERENCE.exec(value);
        if (reference) filter[name] = String(results[reference[1]!]?.[Number(reference[2])]?.[id] ?? '');
      }
      const scripted = script({ request: requests.length - 1, key, params: { ...params, filter } });
      if (scripted && 'error' in scripted) {
        errors[key] = { error: scripted.error, error_description: scripted.error_description ?? '' };
        if (Number(body.halt)) break;
        continue;
      }
      if (scripted && 'page' in scripted) {
        results[key] = item ? scripted.page.map(asItem) : scripted.page;
        answers[key] = item ? { items: results[key] } : results[key];
        continue;
      }
      const descending = String(params.order?.[id]).toUpperCase() === 'DESC';
      const view: Array<Record<string, unknown>> = item ? rows().map(asItem) : [...rows()];
      const matching = view.filter((row) =>
        Object.entries(filter).every(([name, value]) => {
          if (value === '') return true;
          if (name === `>${id}`) return Number(row[id]) > Number(value);
          if (name === `<${id}`) return Number(row[id]) < Number(value);
          return String(row[name]) === value;
        }),
      );
      matching.sort((a, b) => (descending ? Number(b[id]) - Number(a[id]) : Number(a[id]) - Number(b[id])));
      const select: string[] | undefined = params.select;
      results[key] = matching.slice(0, 50).map((row) => (select ? Object.fromEntries(Object.entries(row).filter(([name]) => select.includes(name))) : row));
      answers[key] = item ? { items: results[key] } : results[key];
    }
    const answer = { result: { result: answers, result_error: errors, result_total: [], result_next: [], result_time: {} }, time: TIME };
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch, requests };
}

/** `count` leads with ids `first`, `first + 1`, … and a title each. */
export function leads(count: number, first = 1): ListRow[] {
  return Array.from({ length: count }, (_, i) => ({ ID: String(first + i), TITLE: `Lead ${first + i}`, STATUS_ID: i % 2 ? 'NEW' : 'IN_PROCESS' }));
}
