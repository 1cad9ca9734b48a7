/// <reference lib="dom" />
/**
 * The metrics-diff webview's script (bundled alone for the browser): says it is ready, renders what the
 * host sends, and turns button clicks into messages. What to show lives in diffRender.ts.
 */
import { isToHostMessage, isToWebviewMessage, type ToHostMessage } from './diffProtocol';
import { nextView, renderDiff, type DiffView } from './diffRender';

declare function acquireVsCodeApi(): { postMessage(message: ToHostMessage): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body;
let view: DiffView | undefined;

function render(): void {
  if (!view) return;
  // The view is rebuilt on every message: keep the keyboard focus where it was.
  const focused = document.activeElement?.id;
  root.innerHTML = renderDiff(view.diff, view.state);
  if (focused) document.getElementById(focused)?.focus();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isToWebviewMessage(event.data)) return;
  view = nextView(view, event.data);
  render();
});

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (!(button instanceof HTMLButtonElement) || button.disabled) return;
  const message = { type: button.dataset.action };
  if (isToHostMessage(message)) vscode.postMessage(message);
});

vscode.postMessage({ type: 'ready' });
