import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deployProject } from '../../../src/core/deploy/deploy';
import { removeLocalEnvironment } from '../../../src/core/deploy/localEnvironment';
import type { DeployPorts } from '../../../src/core/deploy/ports';
import { rollback } from '../../../src/core/deploy/rollback';
import { ROUTER_SHADOW_METRICS } from '../../../src/core/deploy/routerMetricNames';
import { readShadowScrape } from '../../../src/core/deploy/shadowScrape';
import type { BuildResult } from '../../../src/core/packaging/buildImage';
import { loadProject } from '../../../src/core/project/loadProject';
import { staticCredentials } from '../../../src/core/registry/credentials';
import type { ModelDeployApi } from '../../../src/extension/modelDeploy';
import { docker, removeProjectResources } from '../../integration/engineFixture';
import { activateExtension, copyIris, renderedChildren, waitFor, workspaceDir } from './helpers';

const ports: DeployPorts = { credentials: staticCredentials({}), approve: async () => true, progress: () => undefined };

describe('a canary and a shadow as the tree and the status bar show them (iris 2.0.0 serving, 1.0.0 beside it)', function () {
  this.timeout(300_000);
  const name = `ext-trials-${randomBytes(4).toString('hex')}`;
  const dir = path.join(workspaceDir(), name);
  const configFile = path.join(dir, 'modeldeploy.yaml');
  let api: ModelDeployApi;

  const project = () => waitFor(`the ${name} project in the tree`, async () => (await renderedChildren(api)).find((p) => p.label === name));
  const staging = async () => {
    const environments = (await renderedChildren(api, (await project()).node)).find((c) => c.label === 'Environments');
    assert.ok(environments, 'the project has an Environments node');
    return waitFor('the staging node', async () => (await renderedChildren(api, environments.node)).find((e) => e.label === 'staging'));
  };
  /** Waits until staging's node says `expected`, and returns its description. */
  const stagingSays = async (what: string, expected: RegExp, timeoutMs = 30_000) => {
    let last = '';
    try {
      return await waitFor(`staging's node to show ${what}`, async () => {
        last = (await staging()).description;
        return expected.test(last) && last;
      }, timeoutMs);
    } catch (error) {
      const shadow = api.live.seriesOf({ dir }, 'staging')?.points.at(-1)?.shadow;
      throw new Error(`${(error as Error).message}; it shows "${last}"; the last shadow figures: ${JSON.stringify(shadow)}`);
    }
  };
  /** Switches the copy's config to `version` and `model`, and waits until the store has read it. */
  const useVersion = async (version: string, model: string) => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace(/^version: .*$/m, `version: ${version}`).replace(/^model: \S+/m, `model: ${model}`));
    await api.store.refresh();
    await waitFor(`version ${version} in the store`, async () => (await project()).description.startsWith(version));
  };

  before(async () => {
    copyIris(dir, name);
    api = await activateExtension();
    await api.store.refresh();
    await project();
    // The status bar names the project whose file is open.
    await vscode.window.showTextDocument(vscode.Uri.file(configFile));
    for (const [version, model] of [['1.0.0', 'model/iris-v1.onnx'], ['2.0.0', 'model/iris-v2.onnx']]) {
      await useVersion(version, model);
      await vscode.commands.executeCommand('modelDeploy.validate', (await project()).node);
      const built = await vscode.commands.executeCommand<BuildResult>('modelDeploy.buildImage', (await project()).node);
      assert.equal(built?.image, `${name}:${version}`);
    }
    await deployProject(docker, loadProject(dir), 'staging', ports);
    await useVersion('1.0.0', 'model/iris-v1.onnx');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeLocalEnvironment(docker, { name, dir, version: '1.0.0' }, 'staging');
    await removeProjectResources(name);
  });

  it('a canary at 25 %: both versions and their shares on the node, the canary in the status bar', async () => {
    await deployProject(docker, loadProject(dir), 'staging', ports, undefined, { canary: 25 });
    const description = await stagingSays('the canary', /canary 1\.0\.0 25%/);
    assert.match(description, /^2\.0\.0 75% · sha256:[0-9a-f]{12} · canary 1\.0\.0 25%/);
    await waitFor('the canary in the status bar', () => api.statusBar.text.includes('staging 2.0.0 + canary 1.0.0 25%'));
    const tooltip = api.tree.getTreeItem((await staging()).node).tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.match(tooltip.value, /Canary 1\.0\.0 .* gets 25% of the requests/);
    await rollback(docker, loadProject(dir), 'staging', undefined, ports);
    await stagingSays('no canary', /^2\.0\.0 · (?!.*canary)/);
  });

  it('a shadow: the node and the status bar name it, and with the view open the node gives the share of differing classes the router counted', async () => {
    await deployProject(docker, loadProject(dir), 'staging', ports, undefined, { shadow: true });
    const description = await stagingSays('the shadow', /shadow 1\.0\.0/);
    assert.match(description, /^2\.0\.0 · sha256:[0-9a-f]{12} · shadow 1\.0\.0/);
    await waitFor('the shadow in the status bar', () => api.statusBar.text.includes('staging 2.0.0 + shadow 1.0.0'));
    const node = (await staging()).node;
    assert.ok(node.kind === 'environment' && node.view.status?.url);
    const url = node.view.status.url;

    // With the view visible the store reads the router too: once it has read the shadow, every row of the
    // validation set goes to staging, and the node shows the share of them whose class differs.
    await vscode.commands.executeCommand('modelDeploy.projects.focus');
    await waitFor('the store reading the shadow', () => api.live.seriesOf({ dir }, 'staging')?.points.at(-1)?.shadow !== undefined, 30_000);
    const rows = fs.readFileSync(path.join(dir, 'data', 'validation.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 4).map(Number));
    // Each request's copy is answered before the next request goes: the router skips copies beyond its bound
    // of copies in flight, which a shadow slowed by a busy machine would otherwise reach.
    const config = loadProject(dir);
    const environment = config.environments.find((e) => e.name === 'staging')!;
    const shadowAnswers = async () => {
      const read = await readShadowScrape(async () => docker, config, environment);
      assert.ok(read, 'the router has a shadow');
      return read.scrape.samples.filter((s) => s.name === ROUTER_SHADOW_METRICS.requests && s.labels.upstream === read.upstream).reduce((sum, s) => sum + s.value, 0);
    };
    const answeredBefore = await shadowAnswers();
    for (const [i, row] of rows.entries()) {
      const answer = await fetch(`${url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: row }] }) });
      assert.equal(answer.status, 200);
      assert.equal(((await answer.json()) as { model_version: string }).model_version, '2.0.0', 'clients get the serving version\'s answers');
      await waitFor(`the shadow's answer to the copy of request ${i + 1}`, async () => (await shadowAnswers()) >= answeredBefore + i + 1);
    }
    // 1.0.0 and 2.0.0 call 11 of the 45 validation rows differently (the metrics diff counts the same 11).
    await stagingSays('the share of differing classes', /shadow differs 24\.4%/, 40_000);
    await vscode.commands.executeCommand('workbench.view.explorer');
  });
});
