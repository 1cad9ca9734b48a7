// The whole workflow on the iris example, as a person works it in VS Code: the tree, validate, build, run
// and a test prediction from the palette, a deploy of 1.0.0 to staging from the tree's context menu, its
// live metrics on the tree and in their chart webview, 2.0.0 compared and deployed from the metrics-diff
// webview, a rollback from a history entry, and a step picked from the status-bar button. Each check
// leaves the workbench as the next one expects it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { setConfig } from '../integration/engineFixture';
import {
  contextMenu,
  editorShows,
  expand,
  IRIS,
  modelDeployIcon,
  notificationTexts,
  openFile,
  pickQuickItem,
  rowAt,
  runCommand,
  statusItem,
  TIMEOUT_MS,
  treeRow,
  webview,
} from './workbench';

export interface UiCheck {
  name: string;
  screenshot: string;
  run: (page: Page, workspace: string) => Promise<void>;
}

const ENVIRONMENTS = [IRIS, 'Environments'];
const STAGING = [...ENVIRONMENTS, 'staging'];

/** A metric as Validate wrote it for `version` of the iris copy: what the tree and the diff must show. */
function storedMetric(workspace: string, version: string, metric: string): number {
  const file = path.join(workspace, 'iris', '.modeldeploy', 'metrics', `${version}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { metrics: Record<string, number> }).metrics[metric];
}

/** Waits until the row at `path` has a description that starts with `text` (or that `text` matches). */
async function rowSays(page: Page, path: string[], text: string | RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = await rowDescription(page, path, timeoutMs);
    if (typeof text === 'string' ? shown.startsWith(text) : text.test(shown)) return;
    if (Date.now() > deadline) throw new Error(`the "${path.join(' > ')}" row says "${shown}", not "${text}…"`);
    await page.waitForTimeout(250);
  }
}

/** The description of the row at `path`, as shown, with its white space collapsed. */
async function rowDescription(page: Page, path: string[], timeoutMs = TIMEOUT_MS): Promise<string> {
  const row = await rowAt(page, path, timeoutMs);
  return ((await row.locator('.label-description').innerText().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
}

/** Sends the iris sample to staging's service `count` times, 100 ms apart; its URL is read from staging's row. */
async function predictOnStaging(page: Page, workspace: string, count: number): Promise<void> {
  const described = await (await rowAt(page, STAGING)).locator('.label-description').innerText();
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(described)?.[0];
  assert.ok(url, `staging's row names no URL: ${described}`);
  const body = fs.readFileSync(path.join(workspace, 'iris', 'sample.json'), 'utf8');
  for (let i = 0; i < count; i++) {
    const answer: Response = await fetch(`${url}/v2/models/${IRIS}/infer`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 200, `staging answered ${answer.status}: ${await answer.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function validateAndBuild(page: Page, version: string, accuracy: string): Promise<void> {
  await runCommand(page, 'Model Deploy: Validate');
  await treeRow(page, 'accuracy').filter({ hasText: accuracy }).waitFor({ timeout: 60_000 });
  await runCommand(page, 'Model Deploy: Build Image');
  await expand(page, [IRIS, 'Images']);
  await treeRow(page, `${IRIS}:${version}`).waitFor({ timeout: 120_000 });
}

/** Clicks the diff webview's Deploy button and waits for the result it reports. */
async function deployFromWebview(page: Page, version: string): Promise<void> {
  const view = await webview(page, `h1 .version:text-is("${version}")`);
  const deploy = view.locator('#deploy');
  assert.equal((await deploy.innerText()).trim(), `Deploy ${version} to staging`);
  await deploy.click();
  await view.locator('.status.result.ok', { hasText: `staging now runs ${version}` }).waitFor({ timeout: 120_000 });
  await rowSays(page, STAGING, version);
}

export const workflowChecks: UiCheck[] = [
  {
    name: 'the Model Deploy activity-bar view lists every project, the broken one with its error',
    screenshot: 'projects.png',
    run: async (page) => {
      await modelDeployIcon(page).click({ timeout: TIMEOUT_MS });
      await treeRow(page, IRIS).waitFor({ timeout: TIMEOUT_MS });
      await treeRow(page, 'house-prices').waitFor({ timeout: TIMEOUT_MS });
      await treeRow(page, '1 config error').waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: "the tree shows the model's input and output with their types and shapes",
    screenshot: 'model.png',
    run: async (page) => {
      await expand(page, [IRIS, 'Model']);
      await rowSays(page, [IRIS, 'Model', 'float_input'], 'input · float32');
      await rowSays(page, [IRIS, 'Model', 'probabilities'], 'output · float32');
    },
  },
  {
    name: 'the status-bar button offers Model Deploy while no project is active',
    screenshot: 'status-bar-idle.png',
    run: async (page) => {
      await statusItem(page, 'Model Deploy').waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: 'with the iris config open, Validate from the command palette puts the metrics in the tree and the status bar',
    screenshot: 'validated.png',
    run: async (page, workspace) => {
      await openFile(page, 'iris/modeldeploy.yaml');
      await statusItem(page, `${IRIS} 1.0.0`).waitFor({ timeout: TIMEOUT_MS });
      await runCommand(page, 'Model Deploy: Validate');
      await treeRow(page, 'accuracy').filter({ hasText: '0.7778' }).waitFor({ timeout: 60_000 });
      await statusItem(page, 'acc 0.778').waitFor({ timeout: TIMEOUT_MS });
      assert.equal(storedMetric(workspace, '1.0.0', 'accuracy').toFixed(4), '0.7778');
    },
  },
  {
    name: "Build Image from the command palette lists the image under the project's Images",
    screenshot: 'built.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Build Image');
      // The status bar says "building" until the build ends (a fast build may end before it is seen).
      const building = statusItem(page, `${IRIS}: building`);
      await building.waitFor({ timeout: 10_000 }).catch(() => undefined);
      await building.waitFor({ state: 'detached', timeout: 120_000 });
      await expand(page, [IRIS, 'Images']);
      await treeRow(page, `${IRIS}:1.0.0`).waitFor({ timeout: 120_000 });
    },
  },
  {
    name: 'Run Locally shows the container with its port, and the status bar says where it runs',
    screenshot: 'running.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Run Locally');
      const status = statusItem(page, /running on :\d+/);
      await status.waitFor({ timeout: 60_000 });
      const port = /running on :(\d+)/.exec(await status.innerText())![1];
      await expand(page, [IRIS, 'Containers']);
      await treeRow(page, `:${port}`).waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: "Test Prediction sends the request and shows the container's answer with class names and the parity check",
    screenshot: 'test-prediction.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Test Prediction');
      await page.locator('.tab', { hasText: 'test-request.json' }).first().waitFor({ timeout: TIMEOUT_MS });
      await page.locator('.tab.active', { hasText: `${IRIS} prediction.txt` }).waitFor({ timeout: 60_000 });
      const answer = await editorShows(page, `${IRIS} prediction.txt`, /^parity with in-process onnxruntime/m);
      assert.match(answer, /^answer from http:\/\/127\.0\.0\.1:\d+ in [\d.]+ ms/m);
      // The sample's two rows: a setosa, and one that the weaker 1.0.0 model takes for a versicolor.
      assert.match(answer, /^ {2}classes: setosa, versicolor$/m);
      assert.match(answer, /^parity with in-process onnxruntime: max \|difference\| \S+ \(ok, tolerance/m);
    },
  },
  {
    name: "Send Test Prediction from the request editor's title bar answers again, without the keyboard",
    screenshot: 'send-prediction.png',
    run: async (page) => {
      await page.locator('.tab', { hasText: 'test-request.json' }).first().click();
      await page.locator('.editor-group-container.active .editor-actions .action-label[aria-label^="Send Test Prediction"]').click({ timeout: TIMEOUT_MS });
      await page.locator('.tab.active', { hasText: `${IRIS} prediction.txt` }).waitFor({ timeout: 60_000 });
      await editorShows(page, `${IRIS} prediction.txt`, /\(ok, tolerance/);
    },
  },
  {
    name: 'Stop Container takes it out of the tree and the status bar',
    screenshot: 'stopped.png',
    run: async (page) => {
      await runCommand(page, 'Model Deploy: Stop Container');
      await treeRow(page, 'not running: Run Locally').waitFor({ timeout: 60_000 });
      await statusItem(page, 'acc 0.778').waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: "Deploy to Environment... from staging's context menu opens the diff, and its Deploy button puts 1.0.0 on staging",
    screenshot: 'deployed-v1.png',
    run: async (page) => {
      await expand(page, ENVIRONMENTS);
      await rowSays(page, STAGING, 'nothing deployed');
      await contextMenu(page, STAGING, 'Deploy to Environment...');
      await deployFromWebview(page, '1.0.0');
      // Cancel closes the panel, so that the next diff is the only one open.
      await (await webview(page, 'h1 .version:text-is("1.0.0")')).locator('#cancel').click();
    },
  },
  {
    name: 'predictions sent to staging show on its tree row as the live request rate',
    screenshot: 'live-metrics-tree.png',
    run: async (page, workspace) => {
      // First staging's own rate (two scrapes read): requests sent before its first scrape are its baseline.
      await rowSays(page, STAGING, / \d+\.\d req\/s/);
      await predictOnStaging(page, workspace, 20);
      await rowSays(page, STAGING, / (?!0\.0 )\d+\.\d req\/s · p95 \d+\.\d ms/);
    },
  },
  {
    name: "Show Live Metrics from staging's context menu charts its request rate, latency, error rate and requests in flight, with the input drift",
    screenshot: 'live-metrics-chart.png',
    run: async (page, workspace) => {
      await contextMenu(page, STAGING, 'Show Live Metrics');
      const view = await webview(page, '#chart-rate');
      await view.locator('h1', { hasText: 'staging' }).waitFor({ timeout: TIMEOUT_MS });
      // More traffic over a few scrapes, so that the lines have a shape.
      await predictOnStaging(page, workspace, 100);
      await view.locator('#chart-rate .current', { hasText: /^(?!0\.00 )\d+\.\d+ req\/s$/ }).waitFor({ timeout: TIMEOUT_MS });
      for (const quantile of ['p50', 'p95']) await view.locator('#chart-latency .legend', { hasText: new RegExp(`^${quantile} \\d+\\.\\d+ ms$`) }).waitFor({ timeout: TIMEOUT_MS });
      await view.locator('#chart-errors .legend', { hasText: /^5xx 0\.0 %$/ }).waitFor({ timeout: TIMEOUT_MS });
      assert.match((await view.locator('#chart-rate path.line').getAttribute('d')) ?? '', /^M[\d.,]+(L[\d.,]+){2,}/, 'the rate line joins several scrapes');
      assert.deepEqual(await view.locator('table.drift td.feature').allInnerTexts(), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
      // The focus back on an editor, the charts still in view: a quick pick opened while a webview has the
      // focus closes as soon as the webview takes it back.
      await page.locator('.tab', { hasText: 'test-request.json' }).first().click();
      // The traffic over, the rate falls to 0 within a minute, repainting the row at every step; the next
      // checks right-click rows, which a repaint under the mouse would take from their menu's command.
      // (The one sample sent over and over is drift, flagged once 100 rows are in.)
      await rowSays(page, STAGING, / 0\.0 req\/s( · drift: [a-z_, ]+)?$/, 90_000);
    },
  },
  {
    name: 'switched to 2.0.0 (the config edited), Validate and Build Image make the new candidate',
    screenshot: 'built-v2.png',
    run: async (page, workspace) => {
      setConfig(path.join(workspace, 'iris'), { version: '2.0.0', model: 'model/iris-v2.onnx' });
      await statusItem(page, `${IRIS} 2.0.0`).waitFor({ timeout: TIMEOUT_MS });
      await validateAndBuild(page, '2.0.0', '0.9333');
    },
  },
  {
    name: 'Compare Metrics... shows, in the diff webview, what staging runs against the candidate, metric by metric',
    screenshot: 'compare-metrics.png',
    run: async (page, workspace) => {
      await runCommand(page, 'Model Deploy: Compare Metrics...');
      await pickQuickItem(page, 'staging');
      const view = await webview(page, 'h1 .version:text-is("2.0.0")');
      await view.locator('h1 .environment', { hasText: 'staging' }).waitFor({ timeout: TIMEOUT_MS });
      for (const metric of ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']) {
        const row = view.locator('table.metrics tbody tr', { has: view.locator(`th.name:text-is("${metric}")`) });
        const deployed = Number(await row.locator('td.deployed').innerText());
        const candidate = Number(await row.locator('td.candidate').innerText());
        assert.ok(Math.abs(deployed - storedMetric(workspace, '1.0.0', metric)) < 5e-4, `${metric}: deployed ${deployed}`);
        assert.ok(Math.abs(candidate - storedMetric(workspace, '2.0.0', metric)) < 5e-4, `${metric}: candidate ${candidate}`);
      }
      await view.locator('h2', { hasText: 'Predictions on the same 45 rows' }).waitFor({ timeout: TIMEOUT_MS });
    },
  },
  {
    name: "the diff webview's Deploy button puts 2.0.0 on staging",
    screenshot: 'deployed-v2.png',
    run: async (page) => {
      await deployFromWebview(page, '2.0.0');
      await (await webview(page, 'h1 .version:text-is("2.0.0")')).locator('#cancel').click();
    },
  },
  {
    name: "Roll Back Here on staging's 1.0.0 history entry puts staging back on 1.0.0",
    screenshot: 'rolled-back.png',
    run: async (page) => {
      await expand(page, STAGING);
      await rowSays(page, [...STAGING, '2.0.0'], 'deploy');
      const rollingBack = async () => (await notificationTexts(page)).some((text) => text.includes('rolling staging back to 1.0.0')) || (await rowDescription(page, STAGING)).startsWith('1.0.0');
      await contextMenu(page, [...STAGING, '1.0.0'], 'Roll Back Here', rollingBack);
      await rowSays(page, STAGING, '1.0.0', 120_000);
      // The newest history entry, first under the environment, is the rollback.
      await rowSays(page, [...STAGING, '1.0.0'], 'rollback');
    },
  },
  {
    name: 'the status-bar button offers the next steps, and Promote Staging to Production picked there puts 1.0.0 on production',
    screenshot: 'promoted.png',
    run: async (page) => {
      await statusItem(page, `${IRIS} 2.0.0`).click();
      await pickQuickItem(page, 'Promote Staging to Production');
      await rowSays(page, [...ENVIRONMENTS, 'production'], '1.0.0', 120_000);
      // While the view is visible each environment's live rate follows its version: `staging 1.0.0 (0.4/s)`.
      await statusItem(page, /staging 1\.0\.0( \(\d+\.\d\/s\))? · production 1\.0\.0/).waitFor({ timeout: TIMEOUT_MS });
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
