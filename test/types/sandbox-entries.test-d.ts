import { describe, expectTypeOf, it } from 'vitest';
import { createBitrix24Client } from '../../src/index.js';
import { sandboxHandlers } from '../../src/msw.js';
import type * as browserEntry from '../../src/sandbox/browser.js';
import type * as nodeEntry from '../../src/node/sandbox.js';
import { createSandbox, startSandbox, type RunningSandbox, type Sandbox, type SandboxPortal } from '../../src/node/sandbox.js';

describe('b24-lead-contact/sandbox', () => {
  it('has the same surface in its browser build as in Node', () => {
    expectTypeOf<typeof browserEntry>().toEqualTypeOf<typeof nodeEntry>();
  });

  it('gives a served sandbox every member of an in-process one, plus its URLs and portals', () => {
    expectTypeOf<RunningSandbox>().toMatchTypeOf<Sandbox>();
    expectTypeOf(startSandbox).returns.resolves.toEqualTypeOf<RunningSandbox>();
    expectTypeOf<RunningSandbox['portal']>().returns.toEqualTypeOf<SandboxPortal>();
    expectTypeOf<RunningSandbox['url']>().toEqualTypeOf<string>();
  });

  it('takes only known options', () => {
    // @ts-expect-error a misspelt option
    void startSandbox({ prot: 0 });
    // @ts-expect-error timeouts are milliseconds as numbers
    void startSandbox({ timeouts: { bodyIdleMs: '5s' } });
  });

  it('plugs into the client and into MSW', () => {
    const sandbox = createSandbox();
    createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/', fetch: sandbox.fetch });
    expectTypeOf<Sandbox>().toMatchTypeOf<Parameters<typeof sandboxHandlers>[0]>();
    expectTypeOf<RunningSandbox>().toMatchTypeOf<Parameters<typeof sandboxHandlers>[0]>();
    expectTypeOf(sandboxHandlers(sandbox)).toBeArray();
  });
});
