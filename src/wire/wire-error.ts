/** The body Bitrix24 sends with every failed call. */
export interface ErrorBody {
  error: string;
  error_description: string;
}

/**
 * A request that must be answered with a Bitrix24 error instead of a result: thrown by the decoders
 * and the sandbox, caught by whichever front (in-process fetch, HTTP server, proxy) turns it into an
 * answer. Its text is written for the caller, so it never holds internal details.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
  readonly status: number;
  readonly code: string;
  /** Further members of the body, such as the `time` of a 429 `OPERATION_TIME_LIMIT`. */
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, code: string, description: string, extra?: Record<string, unknown>) {
    super(description);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  /** The error body in Bitrix24's shape. */
  toBody(): ErrorBody {
    return { error: this.code, error_description: this.message, ...this.extra };
  }
}

export function isWireError(value: unknown): value is WireError {
  return value instanceof WireError;
}

/**
 * Any failure as a Bitrix24 error body: a {@link WireError} as it is, anything else (a bug) as a plain
 * 500 that says nothing about the internals.
 */
export function toErrorAnswer(error: unknown): { status: number; body: ErrorBody } {
  if (isWireError(error)) return { status: error.status, body: error.toBody() };
  return { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } };
}
