// How the UI tier reaches the parts of the VS Code workbench a person uses: the tree, the command palette,
// context menus, quick picks, the status bar, notifications and webviews.
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

export const TIMEOUT_MS = 30_000;

/** The rows of the side bar's tree (the command palette's rows stay in the page, hidden, once it closes). */
export const treeRows = (page: Page) => page.locator('.part.sidebar .monaco-list-row');

/** A row of the Model Deploy tree whose text matches. */
export const treeRow = (page: Page, text: string | RegExp) => treeRows(page).filter({ hasText: text }).first();

/** A status-bar entry whose text matches. */
export const statusItem = (page: Page, text: string | RegExp) => page.locator('.statusbar-item', { hasText: text }).first();

/** The Model Deploy view's icon in the activity bar (it appears once the extension is installed). */
export const modelDeployIcon = (page: Page) => page.locator('.activitybar .action-item a[aria-label^="Model Deploy"]');

/** The iris project's name in the UI tier's workspace (made unique so that its images and containers are that run's alone). */
export const IRIS = process.env.MODELDEPLOY_UI_IRIS_NAME ?? 'iris-classifier';

/** The texts of the notification toasts on screen. */
export async function notificationTexts(page: Page): Promise<string[]> {
  return (await page.locator('.notification-toast').allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** The rows of the open quick pick (command palette, Quick Open, a showQuickPick). */
const quickPickRows = (page: Page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/**
 * Opens the quick input from the title bar's command center, with the mouse: keys go to whichever frame
 * has the focus, which after a webview was clicked may be no part of the workbench.
 */
async function quickInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.titlebar .command-center').first().click({ timeout: TIMEOUT_MS });
  await input.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  // The widget may still be setting itself up and clear what was typed into it: type until it holds.
  for (let attempt = 0; attempt < 20 && (await input.inputValue()) !== text; attempt++) {
    await input.fill(text);
    await page.waitForTimeout(100);
  }
}

/** Waits until the quick pick's focused row (the one Enter takes) matches, then presses Enter. */
async function enterOn(page: Page, text: string | RegExp): Promise<void> {
  await quickPickRows(page).and(page.locator('.focused')).filter({ hasText: text }).waitFor({ timeout: TIMEOUT_MS });
  await page.keyboard.press('Enter');
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await quickInput(page, `>${title}`);
  await enterOn(page, title);
}

/** The command palette's rows for `filter`, as a person sees them; the palette stays open for the screenshot. */
export async function paletteOffers(page: Page, filter: string, expected: string): Promise<string[]> {
  await quickInput(page, `>${filter}`);
  await quickPickRows(page).filter({ hasText: expected }).first().waitFor({ timeout: TIMEOUT_MS });
  return (await quickPickRows(page).allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Clicks the row of the open quick pick whose text matches (a showQuickPick the extension opened). */
export async function pickQuickItem(page: Page, text: string | RegExp): Promise<void> {
  const row = quickPickRows(page).filter({ hasText: text }).first();
  await row.waitFor({ timeout: TIMEOUT_MS });
  await row.click();
}

export async function openFile(page: Page, relative: string): Promise<void> {
  await quickInput(page, relative);
  // The row names the file and, after it, its folder.
  await enterOn(page, new RegExp(`${path.basename(relative).replace(/\./g, '\\.')}.*${path.dirname(relative)}`));
  await page.locator('.tab.active', { hasText: path.basename(relative) }).waitFor({ timeout: TIMEOUT_MS });
}

/** Each tree row's label and description, as rendered now. */
export async function treeLabels(page: Page): Promise<{ label: string; description: string }[]> {
  return treeRows(page).evaluateAll((rows) =>
    rows.map((row) => ({
      label: (row.querySelector('.label-name') as HTMLElement | null)?.innerText.trim() ?? '',
      description: (row.querySelector('.label-description') as HTMLElement | null)?.innerText.trim() ?? '',
    })),
  );
}

/**
 * The index of the row at `path`: the first row labelled path[0], then the first labelled path[1] below
 * it, and so on, in the tree as it is rendered now.
 */
async function rowIndex(page: Page, path: string[]): Promise<number> {
  const rows = await treeLabels(page);
  let index = -1;
  for (const label of path) {
    const next = rows.findIndex((row, i) => i > index && row.label === label);
    if (next < 0) throw new Error(`no "${path.join(' > ')}" row in the tree: ${rows.map((r) => `${r.label} (${r.description})`).join(' | ')}`);
    index = next;
  }
  return index;
}

/**
 * The row at `path` (labels from a project's row down, e.g. [project, 'Environments', 'staging']), found
 * again until it is there: the tree re-renders when the views refresh.
 */
export async function rowAt(page: Page, path: string[], timeoutMs = TIMEOUT_MS): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return treeRows(page).nth(await rowIndex(page, path));
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.waitForTimeout(250);
    }
  }
}

/**
 * Opens the row at `path`. A refresh of the views can re-render the tree and swallow a click: it clicks
 * until the row says it is expanded.
 */
export async function expand(page: Page, path: string[]): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const row = await rowAt(page, path);
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.click({ timeout: 2_000 }).catch(() => undefined); // re-rendered under the pointer: find it again
    await page.waitForTimeout(250);
  }
  throw new Error(`the "${path.join(' > ')}" row does not open`);
}

/**
 * Waits until the side bar's tree has not changed for `quietMs`: a context menu opened on a row that a
 * refresh is replacing can hand its command no row at all.
 */
async function treeSettled(page: Page, quietMs = 1_000): Promise<void> {
  await page.locator('.part.sidebar .monaco-list').first().evaluate(
    (list, [quiet, timeout]) =>
      new Promise<void>((resolve) => {
        let timer = setTimeout(done, quiet);
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(done, quiet);
        });
        const giveUp = setTimeout(done, timeout);
        function done() {
          observer.disconnect();
          clearTimeout(timer);
          clearTimeout(giveUp);
          resolve();
        }
        observer.observe(list, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-label', 'data-index'] });
      }),
    [quietMs, TIMEOUT_MS],
  );
}

/** The context menu, while one is open. */
const openMenu = (page: Page) => page.locator('.context-view .monaco-menu').first();

/** Right-clicks the row at `path` once the tree is quiet, until its context menu is open. */
async function rightClick(page: Page, path: string[]): Promise<void> {
  await treeSettled(page);
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    // A row re-rendered under the pointer can swallow the click (or time it out after it took).
    await (await rowAt(page, path)).click({ button: 'right', timeout: 2_000 }).catch(() => undefined);
    if (await openMenu(page).waitFor({ timeout: 2_000 }).then(() => true, () => false)) return;
    if (Date.now() > deadline) throw new Error(`right-clicking the "${path.join(' > ')}" row opens no context menu`);
  }
}

/**
 * Right-clicks the row at `path` and clicks `item` in its context menu, until the menu closes on it. With
 * `started`, a closed menu is not enough: a row re-rendered under an open menu (a live rate repainting it)
 * closes the menu without running the entry, so the whole gesture is repeated until `started` sees the
 * command's first sign (a progress notification, say) within a few seconds.
 */
export async function contextMenu(page: Page, path: string[], item: string, started?: () => Promise<boolean>): Promise<void> {
  for (let gesture = 0; gesture < 3; gesture++) {
    await clickInContextMenu(page, path, item);
    if (!started) return;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await started()) return;
      await page.waitForTimeout(250);
    }
  }
  throw new Error(`"${item}" in the context menu of the "${path.join(' > ')}" row closes the menu but does not start (notifications: ${(await notificationTexts(page)).join(' | ') || 'none'})`);
}

async function clickInContextMenu(page: Page, path: string[], item: string): Promise<void> {
  await rightClick(page, path);
  const action = openMenu(page).locator('.action-item', { hasText: item }).first();
  await action.waitFor({ timeout: TIMEOUT_MS });
  for (let attempt = 0; attempt < 5; attempt++) {
    // A click while the menu is still being laid out can be lost: the menu then stays open.
    await action.click({ timeout: 5_000 }).catch(() => undefined);
    if (await openMenu(page).waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false)) return;
  }
  throw new Error(`"${item}" in the context menu of the "${path.join(' > ')}" row does not take a click`);
}

/** The entries of a row's context menu as a person sees them (disabled ones marked); the menu stays open. */
export async function contextMenuEntries(page: Page, path: string[]): Promise<{ label: string; enabled: boolean }[]> {
  await rightClick(page, path);
  const items = openMenu(page).locator('.action-item:not(.separator)');
  await items.first().waitFor({ timeout: TIMEOUT_MS });
  const entries = await items.evaluateAll((nodes) =>
    nodes.map((node) => ({ label: (node.querySelector('.action-label') as HTMLElement | null)?.innerText.trim() ?? '', enabled: !node.classList.contains('disabled') && !node.querySelector('.action-label.disabled') })),
  );
  return entries;
}

/**
 * The document of the webview whose content matches `selector`: a webview is an iframe (the workbench's
 * host page) holding another (the extension's HTML); several may be open, hidden or not.
 */
export async function webview(page: Page, selector: string): Promise<FrameLocator> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const hosts = page.locator('iframe.webview.ready');
    const count = await hosts.count();
    for (let i = count - 1; i >= 0; i--) {
      const inner = hosts.nth(i).contentFrame().locator('iframe#active-frame').contentFrame();
      if (await inner.locator(selector).count().catch(() => 0)) return inner;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector} (${count} webview(s) open)`);
    await page.waitForTimeout(250);
  }
}

/**
 * Waits until the editor showing the document whose URI ends with `name` renders text that `pattern`
 * matches (a document from a provider fills in after its editor opens); that text.
 */
export async function editorShows(page: Page, name: string, pattern: RegExp): Promise<string> {
  const lines = page.locator(`.monaco-editor[data-uri$="${encodeURIComponent(name)}"] .view-lines .view-line`);
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    // The editor places its lines by their offset, not in document order.
    const placed = await lines.evaluateAll((nodes) => nodes.map((node) => ({ top: (node as HTMLElement).offsetTop, text: (node as HTMLElement).innerText })));
    const text = placed.sort((a, b) => a.top - b.top).map((line) => line.text).join('\n').replace(/\u00a0/g, ' ');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the editor of ${name} shows no ${pattern}: ${text.slice(0, 300) || '(nothing)'}`);
    await page.waitForTimeout(250);
  }
}
