// The frame host's HTML: the app's iframe, the command log beside it, and the host script with the
// protocol functions it runs (their own source, so the page and the table tests run the same code).
import { type FrameHostConfig, runFrameHost } from './frame-host-script.js';
import { frameCommandRule, frameReply, hasReloadData, parseFrameMessage, placementInterface, resizedTo, withoutTokens } from './frame-protocol.js';

const PAGE_FUNCTIONS = [parseFrameMessage, frameReply, hasReloadData, frameCommandRule, placementInterface, resizedTo, withoutTokens, runFrameHost];

/** JSON that cannot end a `<script>` element or open a comment in it. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body{margin:0;font:14px system-ui,sans-serif;display:flex;height:100vh}
#holder{flex:1;min-width:0;overflow:auto;background:#eef2f4}
#holder iframe{border:0;width:100%;height:100%;background:#fff;display:block}
aside{width:22rem;overflow:auto;border-left:1px solid #ccd;padding:.5rem;box-sizing:border-box}
h1{font-size:1rem;margin:.25rem 0}
ol{padding-left:1.5rem;font:12px ui-monospace,monospace;word-break:break-all}
.ignored,.denied{color:#a33}.unanswered{color:#777}`;

/** The page for one frame. */
export function framePage(config: FrameHostConfig): string {
  const script = `${PAGE_FUNCTIONS.map(String).join('\n')}\nrunFrameHost(${scriptJson(config)});`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(config.placement)}: ${escapeHtml(config.appUrl)}</title>
<style>${STYLE}</style>
</head>
<body>
<div id="holder"></div>
<aside>
<h1>Frame host</h1>
<p>${escapeHtml(config.placement)} · ${escapeHtml(config.appOrigin)}</p>
<ol id="log"></ol>
</aside>
<script>${script}</script>
</body>
</html>`;
}
