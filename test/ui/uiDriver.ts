// Works the real VS Code UI (code-server in headless Chromium, started by scripts/vscode-launcher) the way
// a person does. MODELDEPLOY_UI_PASS=restricted runs the restricted-mode checks, otherwise the workflow.
// Each check saves a screenshot into MODELDEPLOY_UI_SCREENSHOTS; the counts go to MODELDEPLOY_TEST_RESULTS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { restrictedChecks } from './restrictedChecks';
import { modelDeployIcon, notificationTexts } from './workbench';
import { workflowChecks } from './workflowChecks';

interface DriverContext {
  say: (message: string) => void;
  workspace: string;
}

export async function drive(page: Page, context: DriverContext): Promise<number> {
  const screenshots = process.env.MODELDEPLOY_UI_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-ui-'));
  fs.mkdirSync(screenshots, { recursive: true });
  const checks = process.env.MODELDEPLOY_UI_PASS === 'restricted' ? restrictedChecks : workflowChecks;
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The extension activates on the workspace's modeldeploy.yaml files.
  await modelDeployIcon(page).waitFor({ timeout: 60_000 });
  let passed = 0;
  const failures: { title: string; error: string }[] = [];
  for (const check of checks) {
    const screenshot = path.join(screenshots, check.screenshot);
    let failure: string | undefined;
    try {
      await check.run(page, context.workspace);
    } catch (error) {
      // What the workbench said (an error notification names the cause) goes with the failure.
      const notes = await notificationTexts(page);
      failure = `${(error as Error).message.split('\n').slice(0, 6).join(' / ')}${notes.length ? `; notifications: ${notes.join(' | ')}` : '; no notifications'}; screenshot ${screenshot}`;
    }
    await page.mouse.move(640, 500); // no hover tooltip over the picture
    await page.screenshot({ path: screenshot });
    if (failure === undefined) {
      passed++;
      context.say(`  ✔ ${check.name}`);
    } else {
      failures.push({ title: check.name, error: failure });
      context.say(`  ✘ ${check.name}: ${failure}`);
      // A failed check may leave a quick pick or a menu open over the next one.
      for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
    }
  }
  context.say(`screenshots in ${screenshots}`);
  const results = process.env.MODELDEPLOY_TEST_RESULTS;
  if (results) fs.writeFileSync(results, JSON.stringify({ passed, failed: failures.length, failures }));
  return failures.length ? 1 : 0;
}
