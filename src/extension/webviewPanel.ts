import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml } from '../webview/diffRender';
import { log } from './log';

/** How many posted messages a panel keeps for tests to read. */
const POSTED_KEPT = 50;

export interface WebviewPanelOptions {
  viewType: string;
  title: string;
  /** The webview's own bundle and stylesheet: dist/<name>.js and media/<name>.css. */
  name: string;
  /** What the page says until its script has rendered. */
  loading: string;
}

/** The page of a panel: its policy allows only our stylesheet and the script carrying this load's fresh nonce. */
function webviewHtml(webview: vscode.Webview, title: string, loading: string, script: vscode.Uri, style: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(style.toString())}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="root"><p class="muted">${escapeHtml(loading)}</p></main>
<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(script.toString())}"></script>
</body>
</html>
`;
}

/**
 * A panel of ours: scripts on, resources only from media/ and dist/, and a page whose policy allows only
 * our stylesheet and the script carrying this load's nonce.
 */
export function openOwnPanel(extensionUri: vscode.Uri, options: WebviewPanelOptions): vscode.WebviewPanel {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const panel = vscode.window.createWebviewPanel(options.viewType, options.title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [media, dist] });
  panel.iconPath = vscode.Uri.joinPath(media, 'model-deploy.svg');
  const webview = panel.webview;
  webview.html = webviewHtml(webview, options.title, options.loading, webview.asWebviewUri(vscode.Uri.joinPath(dist, `${options.name}.js`)), webview.asWebviewUri(vscode.Uri.joinPath(media, `${options.name}.css`)));
  return panel;
}

/**
 * Posts a message to a panel's webview and keeps it, the last few, in `posted` for tests. A webview that
 * is not loaded yet misses it: its `ready` asks for the state again.
 */
export function postKept<T>(panel: vscode.WebviewPanel, posted: T[], message: T, what: string): void {
  posted.push(message);
  if (posted.length > POSTED_KEPT) posted.splice(0, posted.length - POSTED_KEPT);
  void panel.webview.postMessage(message).then(undefined, (error: unknown) => log.debug(`${what}: post failed: ${error instanceof Error ? error.message : String(error)}`));
}
