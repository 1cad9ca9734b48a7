// Run by the VS Code launcher (MODELDEPLOY_UI_DRIVER) for `npm run bench`: in the real VS Code, reads what
// the Running Extensions view says each extension's activation took, checks that no native module is in
// the extension host's process after our activation, and times the tree's refresh after a Docker event.
// Its figures go, as JSON, to MODELDEPLOY_BENCH_RESULTS.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { localContainerLabels } from '../../src/core/container/localContainers';
import { hardenedSpec } from '../../src/core/container/runContainer';
import { CONTAINER_PORT } from '../../src/core/packaging/runtimeMetadata';
import { loadProject } from '../../src/core/project/loadProject';
import { statFields } from './processCpu';
import { expand, modelDeployIcon, rowAt, runCommand, treeRow } from '../../test/ui/workbench';

export interface VscodeBenchFigures {
  /** Activation times as the Running Extensions view shows them, ms, by extension name. */
  activationMs: Record<string, number>;
  /** Files of native modules mapped into the extension host's process after activation. */
  nativeModules: string[];
  /** From starting a container to the engine's event reaching a listener of its event stream, ms. */
  eventMs: number;
  /** From starting a container to the tree showing it, ms. */
  treeMs: number;
}

/** The pids of `root`'s descendants, from /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the second field after the command name.
      parentOf.set(Number(entry), Number(statFields(entry)[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

/**
 * The native modules of this extension (its .node files, onnxruntime's library) mapped into VS Code's
 * extension host; VS Code's own (a file watcher, a logger) may be there too.
 */
function extensionHostNativeModules(): string[] {
  const hosts = descendants(process.pid).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('extensionHost');
    } catch {
      return false;
    }
  });
  if (!hosts.length) throw new Error('found no extension host process below the launcher');
  const mapped = hosts.flatMap((pid) => fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').map((line) => line.split(/\s+/)[5] ?? ''));
  return [...new Set(mapped.filter((file) => /onnxruntime/.test(file) || (file.endsWith('.node') && file.includes('model-deploy'))))];
}

/**
 * "Startup Activation: 150ms" or "Activation: 86ms" of each extension, as the Running Extensions view
 * shows them. It opens as a modal editor whose list renders only the rows in sight: it is scrolled until
 * each one is there.
 */
async function activationTimes(page: Page, names: string[]): Promise<Record<string, number>> {
  await runCommand(page, 'Developer: Show Running Extensions');
  const list = page.locator('.runtime-extensions-editor .monaco-list').first();
  await list.waitFor({ timeout: 30_000 });
  const times: Record<string, number> = {};
  for (const name of names) {
    const row = page.locator('.runtime-extensions-editor .monaco-list-row').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) }).first();
    await list.hover();
    await page.mouse.wheel(0, -10_000);
    for (let step = 0; step < 40 && !(await row.count()); step++) {
      await page.mouse.wheel(0, 200);
      await page.waitForTimeout(100);
    }
    const text = await row.locator('.activation-time').innerText({ timeout: 30_000 });
    const ms = /Activation: (\d+)\s*ms/.exec(text)?.[1];
    if (!ms) throw new Error(`the Running Extensions view gives no activation time for ${name}: "${text}"`);
    times[name] = Number(ms);
  }
  await page.keyboard.press('Escape'); // the modal editor closes
  await page.locator('.monaco-modal-editor-block').waitFor({ state: 'detached', timeout: 30_000 });
  return times;
}

/**
 * Starts a container labelled as the iris project's local one, as `run` makes it, and times the engine's
 * own event stream telling a listener and the tree showing the container.
 */
async function treeRefresh(page: Page, workspace: string): Promise<{ eventMs: number; treeMs: number }> {
  const project = loadProject(path.join(workspace, 'iris'));
  await modelDeployIcon(page).click();
  await expand(page, [project.name, 'Containers']);
  await rowAt(page, [project.name, 'Containers', 'not running: Run Locally']);
  const docker = new Docker();
  const spec = hardenedSpec({
    name: `bench-tree-refresh-${process.pid}`,
    image: project.image.base,
    labels: localContainerLabels(project),
    cmd: ['node', '-e', 'setInterval(() => {}, 1e9)'],
    publish: { [CONTAINER_PORT]: undefined },
  });
  const container = await docker.createContainer(spec);
  const events = (await docker.getEvents({ filters: { container: [container.id], event: ['start'] } })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  try {
    const eventSeen = new Promise<number>((resolve) => events.once('data', () => resolve(performance.now())));
    const started = performance.now();
    await container.start();
    const port = (await container.inspect()).NetworkSettings.Ports[`${CONTAINER_PORT}/tcp`]?.[0]?.HostPort;
    await treeRow(page, `:${port}`).waitFor({ timeout: 30_000 });
    const treeMs = performance.now() - started;
    return { eventMs: (await eventSeen) - started, treeMs };
  } finally {
    events.destroy();
    await container.remove({ force: true });
  }
}

export async function drive(page: Page, context: { say: (message: string) => void; workspace: string }): Promise<number> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await modelDeployIcon(page).waitFor({ timeout: 60_000 });
  // The start-up of the other extensions settles before the view is read.
  await page.waitForTimeout(5_000);
  const nativeModules = extensionHostNativeModules();
  const activationMs = await activationTimes(page, (process.env.MODELDEPLOY_BENCH_EXTENSIONS ?? '').split(','));
  const { eventMs, treeMs } = await treeRefresh(page, context.workspace);
  const figures: VscodeBenchFigures = { activationMs, nativeModules, eventMs, treeMs };
  fs.writeFileSync(process.env.MODELDEPLOY_BENCH_RESULTS!, JSON.stringify(figures));
  context.say(JSON.stringify(figures));
  return 0;
}
