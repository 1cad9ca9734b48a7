import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import * as vscode from 'vscode';
import type { ReleaseResult } from '../../../src/core/deploy/release';
import { removeLocalEnvironment } from '../../../src/core/deploy/localEnvironment';
import type { BuildResult } from '../../../src/core/packaging/buildImage';
import { LABEL } from '../../../src/core/packaging/imageLabels';
import { scrapeMetrics } from '../../../src/core/watch/scrapeMetrics';
import type { DiffPanel } from '../../../src/extension/diffPanel';
import type { EnvironmentView } from '../../../src/extension/environmentStore';
import type { ModelDeployApi } from '../../../src/extension/modelDeploy';
import type { ProjectEntry } from '../../../src/extension/projectStore';
import { startRegistry, type TestRegistry } from '../../integration/registryFixture';
import { activateExtension, copyIris, renderedChildren, stubWindow, waitFor, workspaceDir } from './helpers';

type Rendered = Awaited<ReturnType<typeof renderedChildren>>[number];
type Warning = { message: string; options: vscode.MessageOptions; items: string[] };

/** The HTTP status of GET url (0 when nothing answers). */
async function statusOf(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}

describe('environments: deploy, approve, gates and roll back, on the real Docker engine', function () {
  this.timeout(240_000);
  const name = `ext-env-${randomBytes(4).toString('hex')}`;
  const dir = path.join(workspaceDir(), name);
  const configFile = path.join(dir, 'modeldeploy.yaml');
  const panels: DiffPanel[] = [];
  let restores: (() => void)[] = [];
  let api: ModelDeployApi;

  const project = () => waitFor(`the ${name} project in the tree`, async () => (await renderedChildren(api)).find((p) => p.label === name));
  const entry = async (): Promise<ProjectEntry> => (await project()).node.entry;
  const environment = async (env: string): Promise<EnvironmentView> => {
    const config = (await entry()).config;
    assert.ok(config, 'the project is valid');
    const found = (await api.environments.environments(config)).find((e) => e.name === env);
    assert.ok(found, `the project has ${env}`);
    return found;
  };
  const environmentNodes = async (): Promise<Rendered[]> => {
    const environments = (await renderedChildren(api, (await project()).node)).find((c) => c.label === 'Environments');
    assert.ok(environments, 'the project has an Environments node');
    return renderedChildren(api, environments.node);
  };
  const environmentNode = async (env: string): Promise<Rendered> => {
    const found = (await environmentNodes()).find((e) => e.label === env);
    assert.ok(found, `the Environments node lists ${env}`);
    return found;
  };
  /** Rewrites the config and waits until the project store has read it. */
  const editConfig = async (edit: (text: string) => string) => {
    const text = edit(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, text);
    await api.store.refresh();
    await waitFor('the edited config in the store', async () => (await entry()).config && fs.readFileSync(configFile, 'utf8') === text);
  };
  const setGates = (gates: string) => editConfig((text) => text.replace(/^gates:.*\n(?:[ \t]+.*\n)*/m, `gates:\n  accuracy: ${gates}\n`));
  const stub = (fn: keyof typeof vscode.window, fake: (...args: never[]) => unknown) => restores.push(stubWindow(fn, fake));
  /** Records every warning message; a modal is answered with `answer` (which gets the buttons). */
  const answerWarnings = (answer: (items: string[]) => string | undefined): Warning[] => {
    const calls: Warning[] = [];
    stub('showWarningMessage', ((message: string, options: vscode.MessageOptions | string, ...items: string[]) => {
      const opts = typeof options === 'object' ? options : {};
      const buttons = typeof options === 'string' ? [options, ...items] : items;
      calls.push({ message, options: opts, items: buttons });
      return Promise.resolve(opts.modal ? answer(buttons) : undefined);
    }) as never);
    return calls;
  };
  const recordErrors = (): string[] => {
    const messages: string[] = [];
    stub('showErrorMessage', ((message: string) => {
      messages.push(message);
      return Promise.resolve(undefined);
    }) as never);
    return messages;
  };
  const openPanel = async (command: 'modelDeploy.compareMetrics' | 'modelDeploy.deployToEnvironment', arg: unknown): Promise<DiffPanel> => {
    const panel = await vscode.commands.executeCommand<DiffPanel | undefined>(command, arg);
    assert.ok(panel, `${command} opens a panel (see the log for why not)`);
    panels.push(panel);
    return panel;
  };
  const lastResult = (panel: DiffPanel) => [...panel.posted].reverse().find((m) => m.type === 'result');

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
    const docker = new Docker();
    const config = { name, dir, version: '2.0.0' };
    for (const env of ['staging', 'production']) await removeLocalEnvironment(docker, config, env);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${name}`] } })) await docker.getContainer(c.Id).remove({ force: true });
    for (const i of await docker.listImages({ filters: { reference: [name] } })) await docker.getImage(i.Id).remove({ force: true });
  });

  it('validates and builds the candidate through the existing commands', async () => {
    await vscode.commands.executeCommand('modelDeploy.validate', (await project()).node);
    assert.ok(fs.existsSync(path.join(dir, '.modeldeploy', 'metrics', '2.0.0.json')));
    const built = await vscode.commands.executeCommand<BuildResult>('modelDeploy.buildImage', (await project()).node);
    assert.equal(built?.image, `${name}:2.0.0`);
  });

  it('shows Environments with staging and production, nothing deployed', async () => {
    const nodes = await waitFor('both environments', async () => {
      const found = await environmentNodes();
      return found.length === 2 && found;
    });
    assert.deepEqual(
      nodes.map((n) => [n.label, n.description, n.contextValue]),
      [
        ['staging', 'nothing deployed', 'environment.local.empty'],
        ['production', 'nothing deployed', 'environment.local.empty'],
      ],
    );
    const history = await renderedChildren(api, nodes[0].node);
    assert.equal(history.length, 1);
    assert.match(history[0].label, /^no deploys yet/);
  });

  let stagingPanel: DiffPanel;

  it('Compare Metrics for staging opens the diff of a first deploy, with accuracy', async () => {
    stagingPanel = await openPanel('modelDeploy.compareMetrics', (await environmentNode('staging')).node);
    const { diff } = stagingPanel;
    assert.equal(diff.environment, 'staging');
    assert.equal(diff.candidate.version, '2.0.0');
    assert.equal(diff.deployed, undefined, 'nothing deployed: a first deploy');
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, '.modeldeploy', 'metrics', '2.0.0.json'), 'utf8')).metrics;
    const accuracy = diff.rows.find((r) => r.name === 'accuracy');
    assert.ok(accuracy, `rows: ${diff.rows.map((r) => r.name).join(', ')}`);
    assert.equal(accuracy.candidate, metrics.accuracy);
    assert.equal(accuracy.deployed, undefined);
    assert.equal(stagingPanel.title, 'Metrics: 2.0.0 vs staging');
    assert.equal(stagingPanel.state.approvalRequired, false);
    // The webview loads its script and asks for the diff.
    await waitFor('the diff posted to the webview', () => stagingPanel.posted.some((m) => m.type === 'show' && m.diff.environment === 'staging' && !m.diff.deployed));
  });

  it('the panel\'s Deploy deploys to staging, which then serves the version', async () => {
    await stagingPanel.handleMessage({ type: 'deploy' });
    const result = lastResult(stagingPanel);
    assert.ok(result?.type === 'result' && result.ok, `the result: ${JSON.stringify(result)}`);
    assert.match(result.message, /^staging now runs 2\.0\.0 \(sha256:[0-9a-f]{12}\) at http:\/\/127\.0\.0\.1:\d+$/);
    const staging = await environment('staging');
    assert.equal(staging.status?.current?.version, '2.0.0');
    assert.equal(staging.status?.serving, true);
    assert.ok(staging.status?.url);
    assert.equal(await statusOf(`${staging.status.url}/v2/health/ready`), 200);
    assert.equal((await environment('production')).status?.current, undefined, 'production is untouched');
  });

  it('the tree shows staging\'s version and its history; production offers Promote', async () => {
    const staging = await environmentNode('staging');
    assert.match(staging.description, /^2\.0\.0 · sha256:[0-9a-f]{12} · (just now|\d+ min ago) · http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(staging.contextValue, 'environment.local.deployed');
    assert.equal((await environmentNode('production')).contextValue, 'environment.local.empty.promotable');
    const history = await renderedChildren(api, staging.node);
    assert.equal(history.length, 1);
    assert.equal(history[0].label, '2.0.0');
    assert.equal(history[0].contextValue, 'history.current');
    assert.match(history[0].description, /^deploy · (just now|\d+ min ago) · .+@.+$/);
  });

  it('the status bar says what runs where, and its menu offers the deploy first, then Promote', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(configFile));
    await waitFor('what runs where in the status bar', () => api.statusBar.text.startsWith(`$(rocket) ${name} 2.0.0 · `) && api.statusBar.text.endsWith(' · staging 2.0.0 · production –'));
    let offered: string[] = [];
    stub('showQuickPick', ((items: readonly vscode.QuickPickItem[]) => {
      offered = items.map((i) => i.label);
      return Promise.resolve(undefined);
    }) as never);
    await vscode.commands.executeCommand('modelDeploy.showActions');
    assert.deepEqual(offered.slice(0, 2), ['$(rocket) Deploy to staging', '$(arrow-circle-up) Promote Staging to Production']);
  });

  it('live metrics: staging is scraped only while the view is visible, and its node and the status bar show the rate and p95', async function () {
    this.timeout(120_000);
    const url = (await environment('staging')).status?.url;
    assert.ok(url, 'staging answers on a local URL');
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // The service counts every /metrics request it has answered: the store's, and this test's own.
    const scrapesSoFar = async () => (await scrapeMetrics(url)).samples.filter((s) => s.name === 'modeldeploy_requests_total' && s.labels.route === 'metrics').reduce((sum, s) => sum + s.value, 0);

    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the store idle while the view is hidden', () => !api.live.scraping);
    await sleep(4_000); // a round begun before the view was hidden has ended
    const rounds = api.live.roundCount;
    const before = await scrapesSoFar();
    await sleep(7_000); // longer than the scrape interval
    assert.equal(api.live.roundCount, rounds, 'no round of scrapes while the view is hidden');
    assert.equal((await scrapesSoFar()) - before, 1, "nothing but this test's own scrape reached the service");

    await vscode.commands.executeCommand('modelDeploy.projects.focus');
    try {
      await waitFor('the store scraping with the view visible', () => api.live.scraping);
      const sample = fs.readFileSync(path.join(dir, 'sample.json'), 'utf8');
      let lastSeen = '';
      const described = await waitFor(
        'the live rate and p95 on the staging node',
        async () => {
          const answer = await fetch(`${url}/v2/models/${name}/infer`, { method: 'POST', body: sample, headers: { 'content-type': 'application/json' } });
          assert.equal(answer.status, 200);
          const { description } = await environmentNode('staging');
          // The same sample row over and over is drift, and is flagged once 100 rows are in.
          if (/· \d+\.\d req\/s · p95 \d+\.\d ms( · drift: [a-z_, ]+)?$/.test(description)) return description;
          lastSeen = `"${description}", series ${JSON.stringify(api.live.seriesOf((await entry()).config!, 'staging'))?.slice(0, 600)}`;
          return false;
        },
        60_000,
      ).catch((error: Error) => assert.fail(`${error.message}; last seen ${lastSeen}`));
      assert.match(described, /^2\.0\.0 · /);
      assert.ok(api.live.scraping);
      assert.ok((await scrapesSoFar()) - before >= 3, 'the store scraped while the view was visible');
      await waitFor('the live rate in the status bar', () => / · staging 2\.0\.0 \(\d+\.\d\/s\) · production –$/.test(api.statusBar.text));
      const latest = api.live.seriesOf((await entry()).config!, 'staging')?.points.at(-1);
      assert.deepEqual(latest?.drift.map((f) => f.feature), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], 'the input drift of the validated features');
    } finally {
      // The other tests read the status bar as it is without live figures.
      await vscode.commands.executeCommand('workbench.view.explorer');
    }
    await waitFor('scraping stopped with the view hidden again', () => !api.live.scraping);
    assert.equal(api.live.seriesOf((await entry()).config!, 'staging'), undefined, 'figures nobody reads are not kept to go stale');
    await waitFor('the status bar without the stale rate', () => api.statusBar.text.endsWith(' · staging 2.0.0 · production –'));
  });

  let productionPanel: DiffPanel;

  it('production asks for approval: cancelled, production keeps serving nothing', async () => {
    await editConfig((text) => `${text}environments:\n  staging: {}\n  production: { approval: required }\n`);
    productionPanel = await openPanel('modelDeploy.deployToEnvironment', (await environmentNode('production')).node);
    assert.equal(productionPanel.state.approvalRequired, true);
    const warnings = answerWarnings(() => undefined);
    await productionPanel.handleMessage({ type: 'deploy' });
    assert.equal(warnings.length, 1, 'one approval prompt');
    assert.equal(warnings[0].options.modal, true);
    assert.match(warnings[0].message, /deploy 2\.0\.0 to production/);
    assert.deepEqual(warnings[0].items, ['Deploy 2.0.0 to production']);
    const result = lastResult(productionPanel);
    assert.ok(result?.type === 'result' && !result.ok);
    assert.match(result.message, /not approved/);
    assert.equal((await environment('production')).status?.current, undefined);
  });

  it('approved with its button, production runs the version', async () => {
    const warnings = answerWarnings((items) => items.find((i) => i === 'Deploy 2.0.0 to production'));
    await productionPanel.handleMessage({ type: 'deploy' });
    assert.equal(warnings.length, 1);
    const result = lastResult(productionPanel);
    assert.ok(result?.type === 'result' && result.ok, `the result: ${JSON.stringify(result)}`);
    const production = await environment('production');
    assert.equal(production.status?.current?.version, '2.0.0');
    assert.equal(await statusOf(`${production.status?.url}/v2/health/ready`), 200);
    assert.notEqual(production.status?.url, (await environment('staging')).status?.url, 'each environment has its own URL');
  });

  it('a second version, weaker, deploys to staging (its gates only warn there)', async () => {
    await editConfig((text) => text.replace(/^version: .*$/m, 'version: 1.0.0').replace(/^model: .*$/m, 'model: model/iris-v1.onnx'));
    await vscode.commands.executeCommand('modelDeploy.validate', (await project()).node);
    assert.equal((await vscode.commands.executeCommand<BuildResult>('modelDeploy.buildImage', (await project()).node))?.image, `${name}:1.0.0`);
    const panel = await openPanel('modelDeploy.compareMetrics', { entry: await entry(), environment: 'staging' });
    assert.equal(panel.diff.deployed?.version, '2.0.0');
    await panel.handleMessage({ type: 'deploy' });
    assert.ok(lastResult(panel)?.type === 'result' && (lastResult(panel) as { ok: boolean }).ok, JSON.stringify(lastResult(panel)));
    assert.equal((await environment('staging')).status?.current?.version, '1.0.0');
    await vscode.window.showTextDocument(vscode.Uri.file(configFile));
    await waitFor('the new state in the status bar', () => api.statusBar.text.startsWith(`$(rocket) ${name} 1.0.0 · `) && api.statusBar.text.endsWith(' · staging 1.0.0 · production 2.0.0'));
  });

  it('Promote of a candidate that fails production\'s gates shows the GateBlockedError; production keeps 2.0.0', async () => {
    await setGates('{ min: 0.99 }');
    const errors = recordErrors();
    const warnings = answerWarnings(() => undefined);
    const result = await vscode.commands.executeCommand<ReleaseResult | undefined>('modelDeploy.promote', await environmentNode('production').then((n) => n.node));
    assert.equal(result, undefined, 'the promotion did not happen');
    assert.equal(errors.length, 1, `errors: ${errors.join(' | ')}`);
    assert.match(errors[0], /production is blocked by its quality gates: accuracy 0\.7778 is below the minimum 0\.99/);
    assert.equal(warnings.length, 0, 'blocked before any approval is asked');
    assert.equal((await environment('production')).status?.current?.version, '2.0.0');
  });

  it('Roll Back Here on a history entry puts staging back on it', async () => {
    const history = await waitFor('two history entries', async () => {
      const entries = await renderedChildren(api, (await environmentNode('staging')).node);
      return entries.length === 2 && entries;
    });
    assert.deepEqual(
      history.map((h) => [h.label, h.contextValue]),
      [
        ['1.0.0', 'history.current'],
        ['2.0.0', 'history.entry'],
      ],
    );
    const result = await vscode.commands.executeCommand<ReleaseResult>('modelDeploy.rollBackHere', history[1].node);
    assert.equal(result?.environment, 'staging');
    assert.equal(result?.version, '2.0.0');
    const staging = await environment('staging');
    assert.equal(staging.status?.current?.version, '2.0.0');
    assert.equal(await statusOf(`${staging.status?.url}/v2/health/ready`), 200);
    assert.deepEqual(
      staging.history?.map((h) => [h.action, h.version, h.current]),
      [
        ['rollback', '2.0.0', true],
        ['deploy', '1.0.0', false],
        ['deploy', '2.0.0', false],
      ],
    );
  });

  it('Roll Back... picks the environment, then an entry of another image than the one it runs', async () => {
    const offered: string[][] = [];
    stub('showQuickPick', ((items: readonly (vscode.QuickPickItem & { name?: string })[]) => {
      offered.push(items.map((i) => i.label));
      return Promise.resolve(offered.length === 1 ? items.find((i) => i.name === 'staging') : items.find((i) => i.label === '1.0.0'));
    }) as never);
    const result = await vscode.commands.executeCommand<ReleaseResult>('modelDeploy.rollBack', (await project()).node);
    assert.deepEqual(offered, [['staging'], ['1.0.0']], 'production has nothing earlier; 2.0.0 is what staging runs');
    assert.equal(result?.version, '1.0.0');
    assert.equal((await environment('staging')).status?.current?.version, '1.0.0');
  });

  let blockedPanel: DiffPanel;

  it('gates that fail by the time Deploy is pressed block it: the GateBlockedError is the panel\'s result and an error message', async () => {
    await setGates('{ min: 0.75 }');
    blockedPanel = await openPanel('modelDeploy.deployToEnvironment', { entry: await entry(), environment: 'production' });
    assert.equal(blockedPanel.diff.gates.passed, true, 'the diff shown passes the gates then in force');
    await setGates('{ min: 0.99 }');
    const errors = recordErrors();
    const warnings = answerWarnings(() => 'Deploy 1.0.0 to production');
    await blockedPanel.handleMessage({ type: 'deploy' });
    const result = lastResult(blockedPanel);
    assert.ok(result?.type === 'result' && !result.ok);
    assert.match(result.message, /production is blocked by its quality gates: accuracy 0\.7778 is below the minimum 0\.99/);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /blocked by its quality gates/);
    assert.equal(warnings.length, 0, 'no approval is asked for a blocked deploy');
    assert.equal((await environment('production')).status?.current?.version, '2.0.0');
  });

  it('a diff whose gates fail is not deployed from the panel either', async () => {
    const panel = await openPanel('modelDeploy.compareMetrics', { entry: await entry(), environment: 'production' });
    assert.equal(panel.diff.gates.passed, false);
    assert.equal(panel.diff.gates.blocking, true);
    const warnings = answerWarnings(() => 'Deploy 1.0.0 to production');
    await panel.handleMessage({ type: 'deploy' });
    const result = lastResult(panel);
    assert.ok(result?.type === 'result' && !result.ok);
    assert.match(result.message, /quality gates block production/);
    assert.equal(warnings.length, 0);
    assert.equal((await environment('production')).status?.current?.version, '2.0.0');
  });

  it('the panel ignores malformed webview messages', async () => {
    const panel = await openPanel('modelDeploy.compareMetrics', { entry: await entry(), environment: 'production' });
    const posted = panel.posted.length;
    const warnings = answerWarnings(() => 'Deploy 1.0.0 to production');
    for (const message of [{ type: 'deploy', force: true }, 'deploy', { type: 'cancel', now: 1 }, { type: 'toString' }, null, [{ type: 'deploy' }], { kind: 'deploy' }]) {
      await panel.handleMessage(message);
    }
    // A reloaded webview may ask for the diff again ('show'); a deploy would post 'busy' or 'result'.
    assert.deepEqual(
      panel.posted.slice(posted).filter((m) => m.type !== 'show'),
      [],
      'nothing was acted on',
    );
    assert.equal(panel.isDisposed, false, 'a malformed cancel does not close it');
    assert.equal(warnings.length, 0);
    assert.equal((await environment('production')).status?.current?.version, '2.0.0');
    // The same panel still acts on a well-formed message.
    await panel.handleMessage({ type: 'cancel' });
    assert.equal(panel.isDisposed, true);
  });
  describe('a registry environment and Registry Login', () => {
    const username = 'deployer';
    const password = `pw-${randomBytes(8).toString('hex')}`;
    let registry: TestRegistry;

    before(async () => {
      registry = await startRegistry({ auth: { username, password } });
      await editConfig((text) => text.replace(/^environments:\n(?:[ \t]+.*\n)*/m, `environments:\n  staging: {}\n  production: { approval: required }\n  shared: { registry: "${registry.host}/team" }\n`));
    });

    after(async () => {
      await vscode.commands.executeCommand('modelDeploy.registryLogout', { view: { config: { registry: registry.host } } });
      await registry?.remove();
    });

    it('without a login, the tree shows why the registry cannot be read, and nothing throws', async () => {
      const shared = await waitFor('the registry environment', async () => (await environmentNodes()).find((n) => n.label === 'shared'));
      assert.equal(shared.description, 'unavailable');
      assert.equal(shared.contextValue, 'environment.registry.empty');
      const [message] = await renderedChildren(api, shared.node);
      assert.match(message.label, new RegExp(`registry ${registry.host.replace(/\./g, '\\.')} needs a login`));
      assert.equal((await environmentNode('staging')).contextValue, 'environment.local.deployed', 'the other environments still read');
    });

    it('Registry Login checks the password with the registry before keeping it, then the environment reads', async () => {
      const picks: string[][] = [];
      stub('showQuickPick', ((items: readonly (vscode.QuickPickItem & { host?: string })[]) => {
        picks.push(items.map((i) => i.label));
        return Promise.resolve(items.find((i) => i.host === registry.host));
      }) as never);
      const errors = recordErrors();
      const boxes: vscode.InputBoxOptions[] = [];
      let attempt = 0;
      stub('showInputBox', ((options: vscode.InputBoxOptions) => {
        boxes.push(options);
        if (!options.password) return Promise.resolve(username);
        return Promise.resolve(attempt++ === 0 ? 'wrong-password' : password);
      }) as never);

      const refused = await vscode.commands.executeCommand('modelDeploy.registryLogin');
      assert.equal(refused, undefined, 'a refused login is not kept');
      assert.equal(errors.length, 1);
      assert.match(errors[0], /refused/);
      assert.ok(!errors[0].includes('wrong-password'), 'the message never holds the password');
      assert.equal((await renderedChildren(api, (await environmentNode('shared')).node))[0].label.includes('needs a login'), true, 'still no login');

      const result = await vscode.commands.executeCommand<{ registry: string; username: string }>('modelDeploy.registryLogin');
      assert.deepEqual(result, { registry: registry.host, username });
      assert.equal(picks[0][0], registry.host, 'the project\'s registry is offered first');
      assert.deepEqual(
        boxes.map((b) => Boolean(b.password)),
        [false, true, false, true],
        'user name, then a password box that hides what is typed',
      );
      const shared = await waitFor('the registry environment read with the login', async () => {
        const node = (await environmentNodes()).find((n) => n.label === 'shared');
        return node?.description === 'nothing deployed' && node;
      });
      assert.equal(shared.contextValue, 'environment.registry.empty');
      const settings = JSON.stringify(vscode.workspace.getConfiguration('modelDeploy'));
      assert.ok(!settings.includes(password), 'the password is not in the settings');
    });

    it('Registry Logout forgets the login, and the tree says so again', async () => {
      stub('showQuickPick', ((items: readonly (vscode.QuickPickItem & { host?: string })[]) => Promise.resolve(items.find((i) => i.host === registry.host))) as never);
      const result = await vscode.commands.executeCommand<{ registry: string; removed: boolean }>('modelDeploy.registryLogout');
      assert.deepEqual(result, { registry: registry.host, removed: true });
      await waitFor('the login gone', async () => (await environmentNodes()).find((n) => n.label === 'shared')?.description === 'unavailable');
    });
  });
});
