import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { removeLocalEnvironment } from '../../../src/core/deploy/localEnvironment';
import type { BuildResult } from '../../../src/core/packaging/buildImage';
import { LABEL } from '../../../src/core/packaging/imageLabels';
import type { DiffPanel } from '../../../src/extension/diffPanel';
import type { LiveMetricsPanel } from '../../../src/extension/liveMetricsPanel';
import type { ModelDeployApi } from '../../../src/extension/modelDeploy';
import type { ProjectEntry } from '../../../src/extension/projectStore';
import type { ToWebviewMessage } from '../../../src/webview/liveMetricsProtocol';
import { docker, removeProjectResources } from '../../integration/engineFixture';
import { startRegistry, type TestRegistry } from '../../integration/registryFixture';
import { activateExtension, copyIris, renderedChildren, stubWindow, waitFor, workspaceDir } from './helpers';

const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

describe('Show Live Metrics: the charts of a deployed environment, on the real Docker engine', function () {
  this.timeout(240_000);
  const name = `ext-live-${randomBytes(4).toString('hex')}`;
  const dir = path.join(workspaceDir(), name);
  const configFile = path.join(dir, 'modeldeploy.yaml');
  const panels: (DiffPanel | LiveMetricsPanel)[] = [];
  let restores: (() => void)[] = [];
  let api: ModelDeployApi;
  let stagingUrl: string;

  const project = () => waitFor(`the ${name} project in the tree`, async () => (await renderedChildren(api)).find((p) => p.label === name));
  const entry = async (): Promise<ProjectEntry> => (await project()).node.entry;
  const environmentNode = async (env: string) => {
    const environments = (await renderedChildren(api, (await project()).node)).find((c) => c.label === 'Environments');
    assert.ok(environments, 'the project has an Environments node');
    return waitFor(`the ${env} node`, async () => (await renderedChildren(api, environments.node)).find((e) => e.label === env));
  };
  /** Rewrites the environments of the config and waits until the project store has read them. */
  const setEnvironments = async (environments: string) => {
    const text = fs.readFileSync(configFile, 'utf8').replace(/^environments:\n(?:[ \t]+.*\n)*/m, '');
    fs.writeFileSync(configFile, `${text}environments:\n${environments}`);
    await api.store.refresh();
    await waitFor('the edited config in the store', async () => (await entry()).config?.environments.length === environments.trim().split('\n').length);
  };
  /** Records the error messages the commands show. */
  const recordErrors = (): string[] => {
    const messages: string[] = [];
    restores.push(stubWindow('showErrorMessage', ((message: string) => (messages.push(message), Promise.resolve(undefined))) as never));
    return messages;
  };
  const showLiveMetrics = async (arg: unknown): Promise<LiveMetricsPanel | undefined> => {
    const panel = await vscode.commands.executeCommand<LiveMetricsPanel | undefined>('modelDeploy.showLiveMetrics', arg);
    if (panel) panels.push(panel);
    return panel;
  };
  /** Says which error the command showed for `arg`, and that it opened no panel. */
  const refused = async (arg: unknown): Promise<string> => {
    const errors = recordErrors();
    const open = liveTabs().length;
    assert.equal(await showLiveMetrics(arg), undefined, 'no panel');
    assert.equal(liveTabs().length, open);
    assert.equal(errors.length, 1, `one error message: ${errors.join(' | ')}`);
    return errors[0];
  };
  const deploy = async (environment: string) => {
    const panel = await vscode.commands.executeCommand<DiffPanel | undefined>('modelDeploy.deployToEnvironment', { entry: await entry(), environment });
    assert.ok(panel, 'Deploy to Environment... opens the diff (see the log for why not)');
    panels.push(panel);
    await panel.handleMessage({ type: 'deploy' });
    const result = [...panel.posted].reverse().find((m) => m.type === 'result');
    assert.ok(result?.type === 'result' && result.ok, `the result: ${JSON.stringify(result)}`);
  };
  /** The live-metrics panels open in the editor (the test's own import of the panel class is not the extension's). */
  const liveTabs = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('modelDeploy.liveMetrics'));
  const series = (panel: LiveMetricsPanel) => panel.posted.filter((m): m is Required<ToWebviewMessage> => m.series !== undefined);

  before(async () => {
    copyIris(dir, name);
    api = await activateExtension();
    await api.store.refresh();
    await project();
  });

  afterEach(() => {
    restores.reverse().forEach((restore) => restore());
    restores = [];
  });

  after(async () => {
    panels.forEach((panel) => panel.dispose());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const env of ['staging', 'production', 'served']) await removeLocalEnvironment(docker, { name, dir, version: '2.0.0' }, env);
    await removeProjectResources(name);
  });

  it('a copy of iris validated, built and deployed to staging through the commands', async () => {
    await vscode.commands.executeCommand('modelDeploy.validate', (await project()).node);
    const built = await vscode.commands.executeCommand<BuildResult>('modelDeploy.buildImage', (await project()).node);
    assert.equal(built?.image, `${name}:2.0.0`);
    await deploy('staging');
    const staging = await waitFor('staging deployed in the tree', async () => {
      const node = await environmentNode('staging');
      return node.contextValue === 'environment.local.deployed' && node;
    });
    assert.ok(staging.node.kind === 'environment' && staging.node.view.status?.url);
    stagingUrl = staging.node.view.status.url;
  });

  it('on an environment with nothing deployed, or one the project does not have, it says so and opens nothing', async () => {
    const production = await environmentNode('production');
    assert.match(production.contextValue ?? '', /^environment\.local\.empty/);
    assert.match(await refused(production.node), /^Model Deploy: nothing is deployed to production, so it has no live metrics\. deploy a version first/);
    assert.match(await refused({ entry: await entry(), environment: 'canary' }), new RegExp(`${name} has no environment canary`));
  });

  let panel: LiveMetricsPanel;

  it('opens staging\'s charts with the tree hidden: the panel holds the store, and the figures it posts follow the predictions sent', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the store idle with the tree hidden', () => !api.live.scraping);
    const opened = await showLiveMetrics((await environmentNode('staging')).node);
    assert.ok(opened, 'Show Live Metrics opens a panel (see the log for why not)');
    panel = opened;
    assert.equal(panel.title, `Live: staging (${name})`);
    await waitFor('the store held by the visible panel', () => api.live.scraping);

    const sample = fs.readFileSync(path.join(dir, 'sample.json'), 'utf8');
    const latest = await waitFor(
      'a posted rate above 0',
      async () => {
        const answer = await fetch(`${stagingUrl}/v2/models/${name}/infer`, { method: 'POST', body: sample, headers: { 'content-type': 'application/json' } });
        assert.equal(answer.status, 200);
        const last = series(panel).at(-1);
        const rate = last?.series.points.at(-1)?.requestsPerSecond;
        return rate !== undefined && rate !== null && rate > 0 && last;
      },
      60_000,
    );
    assert.equal(latest.type, 'series');
    assert.equal(latest.project, name);
    assert.equal(latest.environment, 'staging');
    assert.equal(latest.spanMs, 10 * 60_000);
    assert.equal(latest.series.url, stagingUrl);
    assert.equal(latest.series.error, undefined);
    assert.ok(latest.series.points.length >= 2, 'a point per scrape');
    const point = latest.series.points.at(-1)!;
    assert.ok(point.p50Ms !== null && point.p95Ms !== null && point.p95Ms >= point.p50Ms, `p50 ${point.p50Ms}, p95 ${point.p95Ms}`);
    assert.equal(point.errorRate, 0);
    assert.deepEqual(point.drift.map((f) => f.feature), IRIS_FEATURES, 'the input drift of the validated features');
    assert.ok(point.drift.every((f) => f.rows > 0), 'the rows sent are counted');
  });

  it('shown again, the same panel is revealed', async () => {
    assert.equal(await showLiveMetrics((await environmentNode('staging')).node), panel);
    assert.equal(liveTabs().length, 1);
  });

  it('hidden behind an editor it lets the store go, and holds it again once revealed', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(configFile), { viewColumn: vscode.ViewColumn.Active });
    await waitFor('the store idle with the panel hidden', () => !api.live.scraping);
    const posted = panel.posted.length;
    assert.equal(await showLiveMetrics({ entry: await entry(), environment: 'staging' }), panel);
    await waitFor('the store held again', () => api.live.scraping);
    // The webview was reloaded: it asks for the figures again, and gets the next rounds.
    await waitFor('figures posted to the revealed panel', () => panel.posted.length > posted);
  });

  it('acts on nothing but a well-formed ready from the webview', () => {
    const posted = panel.posted.length;
    for (const message of [{ type: 'ready', now: 1 }, 'ready', { type: 'toString' }, null, [{ type: 'ready' }], { kind: 'ready' }, { type: 'deploy' }]) panel.handleMessage(message);
    assert.equal(panel.posted.length, posted, 'nothing was posted');
    panel.handleMessage({ type: 'ready' });
    assert.equal(panel.posted.length, posted + 1);
  });

  it('closed, it no longer holds the store', async () => {
    panel.dispose();
    assert.equal(panel.isDisposed, true);
    assert.equal(api.live.scraping, false, 'the tree is hidden and no panel is open');
    await waitFor("the panel's tab closed", () => liveTabs().length === 0);
  });

  describe('environments that cannot be watched', () => {
    let registry: TestRegistry;

    before(async () => {
      registry = await startRegistry();
    });
    after(async () => {
      await registry?.remove();
    });

    it('a registry environment that cannot be read says why', async () => {
      await setEnvironments('  staging: {}\n  production: {}\n  offline: { registry: "127.0.0.1:9/team" }\n');
      assert.match(await refused({ entry: await entry(), environment: 'offline' }), /^Model Deploy: offline cannot be read: /);
    });

    it('a registry environment deployed without url: says where to give it; with one, its charts open', async () => {
      await setEnvironments(`  staging: {}\n  production: {}\n  shared: { registry: "${registry.host}/team" }\n`);
      await deploy('shared');
      const shared = await waitFor('shared deployed in the tree', async () => {
        const node = await environmentNode('shared');
        return node.contextValue === 'environment.registry.deployed' && node;
      });
      assert.match(await refused(shared.node), /shared deploys to the registry .+\/team, which does not say where its service answers.*add url: under environments\.shared/);

      // Its service answers where staging's does, as far as the test is concerned.
      await setEnvironments(`  staging: {}\n  production: {}\n  shared: { registry: "${registry.host}/team", url: "${stagingUrl}" }\n`);
      const opened = await showLiveMetrics({ entry: await entry(), environment: 'shared' });
      assert.ok(opened, 'Show Live Metrics opens a panel (see the log for why not)');
      assert.equal(opened.title, `Live: shared (${name})`);
      const posted = await waitFor('figures read at the url given', () => series(opened).find((m) => m.series.points.length > 0));
      assert.equal(posted.series.url, stagingUrl);
      opened.dispose();
    });

    it('a registry environment also served here, whose router is stopped, says that nothing serves it', async () => {
      await setEnvironments(`  staging: {}\n  production: {}\n  served: { registry: "${registry.host}/team", run: {} }\n`);
      await deploy('served');
      const [router] = await docker.listContainers({ filters: { label: [`${LABEL.project}=${name}`, 'modeldeploy.environment=served', `${LABEL.role}=router`] } });
      assert.ok(router, "served's router runs");
      await docker.getContainer(router.Id).stop();
      api.environments.reload();
      await waitFor('served not serving', async () => {
        const node = await environmentNode('served');
        return node.node.kind === 'environment' && node.node.view.status?.serving === false && node;
      });
      assert.match(await refused({ entry: await entry(), environment: 'served' }), /^Model Deploy: served runs 2\.0\.0 but nothing serves it here \(its router is not running\)/);
    });
  });
});
