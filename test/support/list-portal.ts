import { decodeBracketForm } from '../../src/wire/bracket-form.js';

/** One list record as a portal sends it: ids as text. */
export type ListRow = { ID: string } & Record<string, unknown>;

/** What the scripted portal does with one command: answer it (default), fail it, answer this page, or leave it out of the answer. */
export type CommandScript = (command: {
  request: number;
  key: string;
  params: Record<string, any>;
}) => undefined | { error: string; error_description?: string } | { page: ListRow[] } | { omit: true };

const TIME = { start: 1, finish: 2, duration: 1, processing: 1, date_start: '2026-01-01T00:00:00+00:00', date_finish: '2026-01-01T00:00:00+00:00' };
const REFERENCE = /^\$result\[([^\]]*)\]\[(\d+)\]\[ID\]$/;

/**
 * A `fetch` that answers `batch` requests of list commands over `rows` the way a portal runs them:
 * commands in order, `$result[key][i][ID]` resolved from earlier commands of the same batch (an
 * unresolvable one becomes `''`, which the filter then ignores, so the page restarts the window,
 * the hazard the reader must not hand out twice), `>ID`/`<ID` windows, plain equality for other
 * keys, `order` by ID, pages of 50 (`start: -1`), `select` honoured. Records every request.
 */
export function listPortal(rows: () => readonly ListRow[], script: CommandScript = () => undefined) {
  const requests: Array<{ halt: unknown; cmd: Record<string, string>; params: Record<string, Record<string, any>> }> = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = JSON.parse(await request.text());
    if (!request.url.endsWith('/batch')) throw new Error(`the list portal answers batch only, got ${request.url}`);
    const seen = { halt: body.halt, cmd: body.cmd as Record<string, string>, params: {} as Record<string, Record<string, any>> };
    requests.push(seen);
    const results: Record<string, ListRow[]> = {};
    const errors: Record<string, unknown> = {};
    for (const [key, line] of Object.entries(body.cmd as Record<string, string>)) {
      const params = decodeBracketForm(line.slice(line.indexOf('?') + 1)) as Record<string, any>;
      seen.params[key] = params;
      const filter: Record<string, string> = { ...(params.filter ?? {}) };
      for (const [name, value] of Object.entries(filter)) {
        const reference = REFERENCE.exec(value);
        if (reference) filter[name] = String(results[reference[1]!]?.[Number(reference[2])]?.ID ?? '');
      }
      const scripted = script({ request: requests.length - 1, key, params: { ...params, filter } });
      if (scripted && 'error' in scripted) {
        errors[key] = { error: scripted.error, error_description: scripted.error_description ?? '' };
        if (Number(body.halt)) break;
        continue;
      }
      if (scripted && 'omit' in scripted) continue;
      if (scripted && 'page' in scripted) {
        results[key] = scripted.page;
        continue;
      }
      const descending = String(params.order?.ID).toUpperCase() === 'DESC';
      const matching = rows().filter((row) =>
        Object.entries(filter).every(([name, value]) => {
          if (value === '') return true;
          if (name === '>ID') return Number(row.ID) > Number(value);
          if (name === '<ID') return Number(row.ID) < Number(value);
          return String(row[name]) === value;
        }),
      );
      matching.sort((a, b) => (descending ? Number(b.ID) - Number(a.ID) : Number(a.ID) - Number(b.ID)));
      const select: string[] | undefined = params.select;
      results[key] = matching
        .slice(0, 50)
        .map((row) => (select ? (Object.fromEntries(Object.entries(row).filter(([name]) => select.includes(name))) as ListRow) : row));
    }
    const answer = { result: { result: results, result_error: errors, result_total: [], result_next: [], result_time: {} }, time: TIME };
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch, requests };
}

/** `count` leads with ids `first`, `first + 1`, … and a title each. */
export function leads(count: number, first = 1): ListRow[] {
  return Array.from({ length: count }, (_, i) => ({ ID: String(first + i), TITLE: `Lead ${first + i}`, STATUS_ID: i % 2 ? 'NEW' : 'IN_PROCESS' }));
}
