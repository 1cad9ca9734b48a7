// The same workspace opened in restricted mode (Workspace Trust on, the folder not trusted), as a person
// meets a folder they do not know: building, running and deploying are not offered; inspecting is.
import * as assert from 'node:assert/strict';
import { contextMenuEntries, IRIS, modelDeployIcon, paletteOffers, TIMEOUT_MS, treeRow } from './workbench';
import type { UiCheck } from './workflowChecks';

export const restrictedChecks: UiCheck[] = [
  {
    name: 'restricted mode: the command palette offers Inspect Model but not Build Image, Run Locally or Deploy',
    screenshot: 'restricted-palette.png',
    run: async (page) => {
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: TIMEOUT_MS });
      const offered = await paletteOffers(page, 'Model Deploy:', 'Model Deploy: Inspect Model');
      for (const disabled of ['Build Image', 'Run Locally', 'Test Prediction', 'Deploy to Environment...', 'Promote Staging to Production']) {
        assert.ok(!offered.some((row) => row.includes(`Model Deploy: ${disabled}`)), `the palette offers ${disabled}: ${offered.join(' | ')}`);
      }
    },
  },
  {
    name: "restricted mode: the project's context menu shows Build Image disabled and Inspect Model enabled",
    screenshot: 'restricted-menu.png',
    run: async (page) => {
      await page.keyboard.press('Escape'); // the palette of the check before
      await modelDeployIcon(page).click({ timeout: TIMEOUT_MS });
      await treeRow(page, IRIS).waitFor({ timeout: TIMEOUT_MS });
      const entries = await contextMenuEntries(page, [IRIS]);
      const entry = (label: string) => entries.find((e) => e.label === label);
      assert.deepEqual(entry('Build Image'), { label: 'Build Image', enabled: false }, JSON.stringify(entries));
      assert.deepEqual(entry('Inspect Model'), { label: 'Inspect Model', enabled: true }, JSON.stringify(entries));
    },
  },
];
