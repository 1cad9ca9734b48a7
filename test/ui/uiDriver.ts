// Works the real VS Code UI (code-server in headless Chromium, started by scripts/vscode-launcher) the way
// a person does: the activity bar, the tree, the command palette, the status bar. Each check takes a
// screenshot into MODELDEPLOY_UI_SCREENSHOTS; the counts go to MODELDEPLOY_TEST_RESULTS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

interface DriverContext {
  say: (message: string) => void;
  workspace: string;
}

interface UiCheck {
  name: string;
  screenshot: string;
  run: (page: Page) => Promise<void>;
}

const TIMEOUT_MS = 30_000;

/** The rows of the side bar's tree (the command palette's rows stay in the page, hidden, once it closes). */
const treeRows = (page: Page) => page.locator('.part.sidebar .monaco-list-row');

/** A row of the Model Deploy tree whose text matches. */
const treeRow = (page: Page, text: string | RegExp) => treeRows(page).filter({ hasText: text }).first();

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: TIMEOUT_MS });
  await page.keyboard.press('Enter');
}

async function openFile(page: Page, relative: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await input.fill(relative);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relative) }).first().waitFor({ timeout: TIMEOUT_MS });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: path.basename(relative) }).waitFor({ timeout: TIMEOUT_MS });
}

/**
 * Opens the first row labelled `label` below the row of `project` (its child group, e.g. Images). The
 * tree re-renders when the views refresh, which can swallow a click: it clicks until the row says it is
 * expanded.
 */
async function expandUnder(page: Page, project: string, label: string): Promise<void> {
  const rows = treeRows(page);
  for (let attempt = 0; attempt < 20; attempt++) {
    const texts = (await rows.allInnerTexts()).map((t) => t.trim());
    // A row's text is its label followed by its description.
    const start = texts.findIndex((t) => t.startsWith(project));
    const index = texts.findIndex((t, i) => i > start && t === label);
    if (start < 0 || index < 0) throw new Error(`no "${label}" row under ${project} in the tree: ${texts.join(' | ')}`);
    const row = rows.nth(index);
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.click();
    await page.waitForTimeout(250);
  }
  throw new Error(`the "${label}" row under ${project} does not open`);
}

/** The iris project's name in this workspace (made unique so that its image is this run's alone). */
const IRIS = process.env.MODELDEPLOY_UI_IRIS_NAME ?? 'iris-classifier';

const checks: UiCheck[] = [
  {
    name: 'the Model Deploy activity-bar view lists every project, the broken one with its error',
    screenshot: 'projects.png',
    run: async (page) => {
      await page.locator('.activitybar .action-item a[aria-label^="Model Deploy"]').click({ timeout: TIMEOUT_MS });
      await treeRow(page, IRIS).waitFor({ timeout: TIMEOUT_MS });
      await treeRow(page, 'house-prices').waitFor({ timeout: TIMEOUT_MS });
      await treeRow(page, '1 config error').waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'the status-bar button offers Model Deploy while no project is active',
    screenshot: 'status-bar.png',
    run: async (page) => {
      await page.locator('.statusbar-item', { hasText: 'Model Deploy' }).first().waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'with the iris config open, Validate from the command palette puts the metrics in the tree and the status bar',
    screenshot: 'validated.png',
    run: async (page) => {
      await openFile(page, 'iris/modeldeploy.yaml');
      await page.locator('.statusbar-item', { hasText: `${IRIS} 2.0.0` }).first().waitFor({ timeout: TIMEOUT_MS });
      await runCommand(page, 'Model Deploy: Validate');
      await treeRow(page, 'accuracy').filter({ hasText: '0.9333' }).waitFor({ timeout: 60_000 });
      await page.locator('.statusbar-item', { hasText: 'acc 0.933' }).first().waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'Build Image from the command palette lists the image under the project\'s Images',
    screenshot: 'built.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Build Image');
      // The status bar says "building" until the build ends (a fast build may end before it is seen).
      const building = page.locator('.statusbar-item', { hasText: `${IRIS}: building` }).first();
      await building.waitFor({ timeout: 10_000 }).catch(() => undefined);
      await building.waitFor({ state: 'detached', timeout: 120_000 });
      await expandUnder(page, IRIS, 'Images');
      await treeRow(page, `${IRIS}:2.0.0`).waitFor({ timeout: 120_000 });
    },
  },
  {
    name: 'Run Locally shows the container with its port, and the status bar says where it runs',
    screenshot: 'running.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Run Locally');
      const status = page.locator('.statusbar-item', { hasText: /running on :\d+/ }).first();
      await status.waitFor({ timeout: 60_000 });
      const port = /running on :(\d+)/.exec(await status.innerText())![1];
      await expandUnder(page, IRIS, 'Containers');
      await treeRow(page, `:${port}`).waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'Stop Container takes it out of the tree and the status bar',
    screenshot: 'stopped.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Stop Container');
      await treeRow(page, 'not running: Run Locally').waitFor({ timeout: 60_000 });
      await page.locator('.statusbar-item', { hasText: 'acc 0.933' }).first().waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'a typo in the config shows in the Problems panel with its line',
    screenshot: 'problems.png',
    run: async (page) => {
      await openFile(page, 'broken/modeldeploy.yaml');
      await runCommand(page, 'View: Focus Problems');
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'unknown key "modle"' }).first().waitFor({ timeout: TIMEOUT_MS });
    },
  },
];

export async function drive(page: Page, context: DriverContext): Promise<number> {
  const screenshots = process.env.MODELDEPLOY_UI_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-ui-'));
  fs.mkdirSync(screenshots, { recursive: true });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The extension under development activates on the workspace's modeldeploy.yaml files.
  await page.locator('.activitybar .action-item a[aria-label^="Model Deploy"]').waitFor({ timeout: 60_000 });
  let passed = 0;
  const failures: { title: string; error: string }[] = [];
  for (const check of checks) {
    try {
      await check.run(page);
      passed++;
      context.say(`  ✔ ${check.name}`);
    } catch (error) {
      // What the workbench said (an error notification names the cause) goes with the failure.
      const notes = (await page.locator('.notification-toast').allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
      const message = `${(error as Error).message.split('\n')[0]}${notes.length ? `; notifications: ${notes.join(' | ')}` : ''}`;
      failures.push({ title: check.name, error: message });
      context.say(`  ✘ ${check.name}: ${message}`);
    }
    await page.mouse.move(640, 500); // no hover tooltip over the picture
    await page.screenshot({ path: path.join(screenshots, check.screenshot) });
  }
  context.say(`screenshots in ${screenshots}`);
  const results = process.env.MODELDEPLOY_TEST_RESULTS;
  if (results) fs.writeFileSync(results, JSON.stringify({ passed, failed: failures.length, failures }));
  return failures.length ? 1 : 0;
}
