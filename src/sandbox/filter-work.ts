/**
 * Steps the list filters have taken in this process: characters compared and values looked up.
 * Tests read it before and after a request to bound a query's work by counting, never by a clock.
 */
export const filterWork = { steps: 0 };
