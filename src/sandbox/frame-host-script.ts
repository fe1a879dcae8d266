// The script of the frame host page: it plays the portal around an app frame. Its source, with the
// functions of frame-protocol.ts it calls, is written into the page (frame-page.ts), so it must stand
// alone: no imports, nothing from outside its body but those functions.
import type { FrameMessage, FrameRule, parseFrameMessage as Parse } from './frame-protocol.js';

/** What the server hands the page (tokens included: the page is the portal, it is their keeper). */
export interface FrameHostConfig {
  appUrl: string;
  appOrigin: string;
  appSid: string;
  mode: 'post' | 'get';
  placement: string;
  placementOptions: Record<string, unknown>;
  lang: string;
  memberId: string;
  auth: { AUTH_ID: string; AUTH_EXPIRES: string; REFRESH_ID: string };
  firstRun: boolean;
  install: boolean;
  isAdmin: boolean;
  userOptions: Record<string, unknown>;
  appOptions: Record<string, unknown>;
  /** Where the page trades its refresh token for a new pair. */
  refreshPath: string;
  /** Most log entries kept (older ones are dropped and counted). */
  maxLogEntries: number;
}

/** One line of the host's command log. It never holds a token. */
export interface FrameLogEntry {
  seq: number;
  command: string;
  callback: string;
  params: unknown;
  /** answered; unanswered (the portal never answers it); denied (this placement drops it); ignored (not accepted at all). */
  outcome: 'answered' | 'unanswered' | 'denied' | 'ignored';
  /** Why a message was ignored, or what the host did. */
  note?: string;
}

/** What the page exposes on `window.frameHost`, for tests and the curious. */
export interface FrameHostHandle {
  appSid: string;
  log: FrameLogEntry[];
  dropped: number;
  /** How many times the app asked the card to reload (`reloadData`). */
  reloads: number;
  installed: boolean;
}

declare const parseFrameMessage: typeof Parse;
declare function frameReply(callback: string, value?: unknown): string;
declare function frameCommandRule(command: string, placement: string): FrameRule;
declare function placementInterface(placement: string): { command: string[]; event: string[] };
declare function resizedTo(params: unknown, available: { width: number; height: number }): { width: number; height: number };
declare function withoutTokens(value: unknown): unknown;

export function runFrameHost(config: FrameHostConfig): void {
  const domain = location.host;
  const protocol = location.protocol === 'https:' ? 1 : 0;
  const frameName = `${domain}|${protocol}|${config.appSid}`;
  let auth = config.auth;
  let firstRun = config.firstRun;
  const handle: FrameHostHandle = { appSid: config.appSid, log: [], dropped: 0, reloads: 0, installed: !config.install };
  (window as unknown as { frameHost: FrameHostHandle }).frameHost = handle;
  const list = document.getElementById('log') as HTMLOListElement;
  const holder = document.getElementById('holder') as HTMLDivElement;

  const frame = document.createElement('iframe');
  frame.name = frameName;
  frame.id = `appframe_${config.appSid}`;
  frame.allow = 'geolocation *; microphone *; camera *; autoplay *;';
  holder.append(frame);

  let seq = 0;
  function note(entry: Omit<FrameLogEntry, 'seq'>) {
    const line: FrameLogEntry = { seq: ++seq, ...entry, params: withoutTokens(entry.params) };
    handle.log.push(line);
    const item = document.createElement('li');
    item.className = line.outcome;
    item.textContent = `${line.command} ${line.params === '' ? '' : JSON.stringify(line.params)} → ${line.outcome}${line.note ? ` (${line.note})` : ''}`;
    list.append(item);
    if (handle.log.length > config.maxLogEntries) {
      handle.log.shift();
      list.firstElementChild?.remove();
      handle.dropped++;
    }
  }

  /** A line for an accepted message: its command, callback and params (not its APP_SID). */
  function noteMessage(message: FrameMessage, { outcome, note: what }: Pick<FrameLogEntry, 'outcome' | 'note'>) {
    note({ command: message.command, callback: message.callback, params: message.params, outcome, ...(what ? { note: what } : {}) });
  }

  /** Answers only the app's frame, and only at the app's origin: the answers carry tokens. */
  function reply(message: FrameMessage, value?: unknown, what?: string) {
    frame.contentWindow?.postMessage(frameReply(message.callback, value), config.appOrigin);
    noteMessage(message, { outcome: 'answered', note: what });
  }

  function initData() {
    const data = {
      LANG: config.lang,
      DOMAIN: domain,
      PROTOCOL: protocol,
      PATH: '/rest',
      AUTH_ID: auth.AUTH_ID,
      AUTH_EXPIRES: auth.AUTH_EXPIRES,
      REFRESH_ID: auth.REFRESH_ID,
      MEMBER_ID: config.memberId,
      FIRST_RUN: firstRun,
      IS_ADMIN: config.isAdmin,
      INSTALL: config.install,
      // The portal sends an empty PHP array as [] rather than {}.
      USER_OPTIONS: Object.keys(config.userOptions).length > 0 ? config.userOptions : [],
      APP_OPTIONS: Object.keys(config.appOptions).length > 0 ? config.appOptions : [],
      PLACEMENT: config.placement,
      PLACEMENT_OPTIONS: Object.keys(config.placementOptions).length > 0 ? config.placementOptions : '',
    };
    firstRun = false;
    return data;
  }

  // One refresh at a time: each spends the refresh token the previous one returned.
  let refreshing: Promise<unknown> = Promise.resolve();
  function refresh(message: FrameMessage) {
    refreshing = refreshing.then(async () => {
      try {
        const response = await fetch(config.refreshPath, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ appSid: config.appSid, refreshToken: auth.REFRESH_ID }),
        });
        const body = (await response.json()) as { result?: typeof auth; error_description?: string };
        if (!body.result) throw new Error(body.error_description ?? `HTTP ${response.status}`);
        auth = body.result;
        reply(message, auth, 'new token; the old one is retired');
      } catch (error) {
        // The portal alerts and answers nothing; the frame's own timeout decides.
        note({ command: message.command, callback: message.callback, params: '', outcome: 'unanswered', note: `refresh failed: ${(error as Error).message}` });
      }
    });
  }

  function onMessage(event: MessageEvent) {
    if (event.origin !== config.appOrigin) {
      const seen = parseFrameMessage(event.data);
      note({ command: seen?.command ?? '?', callback: seen?.callback ?? '', params: '', outcome: 'ignored', note: `origin ${event.origin}` });
      return;
    }
    const message = parseFrameMessage(event.data);
    if (!message) return note({ command: '?', callback: '', params: '', outcome: 'ignored', note: 'not a frame message' });
    if (message.appSid !== config.appSid) {
      return noteMessage(message, { outcome: 'ignored', note: 'wrong APP_SID' });
    }
    const params = (typeof message.params === 'object' && message.params !== null ? message.params : {}) as Record<string, unknown>;
    switch (frameCommandRule(message.command, config.placement)) {
      case 'init':
        return reply(message, initData(), 'init data');
      case 'refresh':
        return refresh(message);
      case 'echo':
        if (message.command === 'setTitle') document.title = String(params.title ?? '');
        if (message.command === 'setUserOption' && typeof params.name === 'string') config.userOptions[params.name] = params.value;
        return reply(message, message.params);
      case 'appOption':
        if (!config.isAdmin) return noteMessage(message, { outcome: 'unanswered', note: 'app options need an admin' });
        if (typeof params.name === 'string') config.appOptions[params.name] = params.value;
        return reply(message, config.appOptions);
      case 'resize': {
        const size = resizedTo(message.params, { width: holder.clientWidth, height: window.innerHeight });
        frame.style.width = `${size.width}px`;
        frame.style.height = `${size.height}px`;
        return reply(message, size);
      }
      case 'interface':
        return reply(message, placementInterface(config.placement));
      case 'ack':
        handle.reloads++;
        return reply(message, undefined, 'the card reloads its data');
      case 'never':
        if (message.command === 'setInstallFinish') {
          handle.installed = true;
          document.body.dataset.installed = 'true';
        }
        return noteMessage(message, { outcome: 'unanswered', note: 'the portal never answers it' });
      case 'denied':
        return noteMessage(message, { outcome: 'denied', note: `not allowed in ${config.placement}` });
      default:
        return noteMessage(message, { outcome: 'unanswered', note: 'not a command here, or not emulated' });
    }
  }
  window.addEventListener('message', onMessage);

  const action = new URL(config.appUrl);
  for (const [name, value] of Object.entries({ DOMAIN: domain, PROTOCOL: String(protocol), LANG: config.lang, APP_SID: config.appSid })) {
    action.searchParams.set(name, value);
  }
  if (config.mode === 'get') {
    frame.src = action.href;
    return;
  }
  const form = document.createElement('form');
  form.method = 'POST';
  form.target = frameName;
  form.action = action.href;
  form.hidden = true;
  const fields: Record<string, string> = {
    AUTH_ID: auth.AUTH_ID,
    AUTH_EXPIRES: auth.AUTH_EXPIRES,
    REFRESH_ID: auth.REFRESH_ID,
    SERVER_ENDPOINT: `${location.origin}/rest/`,
    member_id: config.memberId,
    status: 'L',
    PLACEMENT: config.placement,
    ...(Object.keys(config.placementOptions).length > 0 ? { PLACEMENT_OPTIONS: JSON.stringify(config.placementOptions) } : {}),
  };
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}
