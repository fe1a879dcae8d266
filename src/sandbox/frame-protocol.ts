// The parent side of the app-frame protocol as pure functions: how a frame's message reads, what the
// portal does with each command, and what the answer looks like. The frame host's page runs these
// very functions in the browser (their source is written into the page), so each one stands alone:
// no imports, and nothing outside its body but the other functions of this file.

/** A command from an app frame, as the parent reads it. */
export interface FrameMessage {
  command: string;
  /** The parsed JSON params, the raw text when it is not JSON (`isRawValue` commands), or '' when absent. */
  params: unknown;
  /** The id the answer is addressed to. */
  callback: string;
  appSid: string;
}

/**
 * Reads a message from an app frame, or undefined when it is not one. Strings are
 * `command:params:callback:appSid`, split from the right (params may hold `:`, and may be absent as
 * in `getInitData:cb:sid` or empty as in `getInitData::cb:sid`); commands that contain `:` come as
 * an object `{ method, params, callback, appSid }`.
 */
export function parseFrameMessage(data: unknown): FrameMessage | undefined {
  if (typeof data === 'string') {
    const parts = data.split(':');
    if (parts.length < 3) return undefined;
    const appSid = parts.pop() as string;
    const callback = parts.pop() as string;
    const command = parts.shift() as string;
    const raw = parts.join(':');
    if (command === '' || appSid === '') return undefined;
    let params: unknown = raw;
    if (raw !== '') {
      try {
        params = JSON.parse(raw);
      } catch {
        // A raw value (placement commands with isRawValue): kept as text.
      }
    }
    return { command, params, callback, appSid };
  }
  if (typeof data === 'object' && data !== null) {
    const { method, params, callback, appSid } = data as Record<string, unknown>;
    if (typeof method !== 'string' || method === '' || typeof appSid !== 'string') return undefined;
    return { command: method, params: params ?? '', callback: typeof callback === 'string' ? callback : '', appSid };
  }
  return undefined;
}

/** The answer to a callback, in the one form both SDKs read: the string `callback:JSON`, or the bare id. */
export function frameReply(callback: string, value?: unknown): string {
  return value === undefined ? callback : `${callback}:${JSON.stringify(value)}`;
}

/**
 * What the portal does with a command in a placement:
 * - `init`, `refresh`: the init data, new tokens;
 * - `echo`: saves or applies it and answers with the params;
 * - `resize`, `interface`, `appOption`: answers in the command's own shape;
 * - `ack`: a placement command the placement's page carries out, answered without a value;
 * - `never`: carried out (or not) without any answer, as the portal does;
 * - `denied`: dropped, this placement does not allow it;
 * - `unknown`: not a command here; the portal ignores it.
 */
export type FrameRule = 'init' | 'refresh' | 'echo' | 'resize' | 'interface' | 'appOption' | 'ack' | 'never' | 'denied' | 'unknown';

/** Whether a placement is a CRM card tab, activity or list menu, where `reloadData` is a command. */
export function hasReloadData(placement: string): boolean {
  return /^CRM_[A-Z0-9_]+_(DETAIL_TAB|DETAIL_ACTIVITY|LIST_MENU)$/.test(placement);
}

/** The portal's rule for `command` in `placement` (see {@link FrameRule}). */
export function frameCommandRule(command: string, placement: string): FrameRule {
  // Outside the app's own page the portal denies what would change the page around the frame.
  if (placement !== 'DEFAULT' && (command === 'setTitle' || command === 'setScroll' || command === 'reloadWindow')) return 'denied';
  switch (command) {
    case 'getInitData':
      return 'init';
    case 'refreshAuth':
      return 'refresh';
    case 'setInstall':
    case 'setTitle':
    case 'setScroll':
    case 'setUserOption':
      return 'echo';
    case 'setAppOption':
      return 'appOption';
    case 'resizeWindow':
      return 'resize';
    case 'getInterface':
      return 'interface';
    case 'reloadData':
      return hasReloadData(placement) ? 'ack' : 'unknown';
    case 'setInstallFinish':
    case 'reloadWindow':
    case 'placementBindEvent':
      return 'never';
  }
  // The messenger commands (imCallTo, imOpenMessenger, im:setTextareaContent, …) are never answered.
  if (command.startsWith('im')) return 'never';
  return 'unknown';
}

/** `getInterface`'s answer: the placement's own commands and events (general commands are not listed). */
export function placementInterface(placement: string): { command: string[]; event: string[] } {
  return { command: hasReloadData(placement) ? ['reloadData'] : [], event: [] };
}

/**
 * `resizeWindow`'s answer: the size in pixels the layout takes. `width: '100%'` (what `fitWindow`
 * sends) and any other non-number take the available width; a height below 1 px is not applied.
 */
export function resizedTo(params: unknown, available: { width: number; height: number }): { width: number; height: number } {
  const { width, height } = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const pixels = (value: unknown, fallback: number) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?(px)?$/.test(value) ? Number.parseFloat(value) : Number.NaN;
    return Number.isFinite(n) && n >= 1 ? Math.round(n) : fallback;
  };
  return { width: Math.min(pixels(width, available.width), available.width), height: pixels(height, available.height) };
}

/** Keys whose values are tokens: the log of the host page shows them as `(hidden)`. */
export function withoutTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = /^(AUTH_ID|REFRESH_ID|access_token|refresh_token|auth|APPLICATION_TOKEN)$/i.test(key) ? '(hidden)' : withoutTokens(item);
  }
  return out;
}
