import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, renderedChildren, stubWindow, waitFor, workspaceDir } from './helpers';

const PALETTE_COMMANDS = ['modelDeploy.initProject', 'modelDeploy.inspectModel', 'modelDeploy.validate', 'modelDeploy.openConfig', 'modelDeploy.showLogs'];

describe('commands', function () {
  this.timeout(60_000);

  it('registers every command of the manifest', async () => {
    await activateExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    const manifest = vscode.extensions.getExtension('modeldeploy.model-deploy')!.packageJSON as { contributes: { commands: { command: string; category: string }[] } };
    for (const { command, category } of manifest.contributes.commands) {
      assert.ok(registered.has(command), `${command} is registered`);
      assert.equal(category, 'Model Deploy');
    }
    for (const id of PALETTE_COMMANDS) assert.ok(registered.has(id), id);
  });

  it('Validate scores the project and the tree shows the metrics', async () => {
    const api = await activateExtension();
    const iris = (await renderedChildren(api)).find((p) => p.label === 'iris-classifier')!;
    const metricsFile = path.join(workspaceDir(), 'iris', '.modeldeploy', 'metrics', '2.0.0.json');
    fs.rmSync(metricsFile, { force: true });

    await vscode.commands.executeCommand('modelDeploy.validate', iris.node);

    const report = JSON.parse(fs.readFileSync(metricsFile, 'utf8'));
    assert.ok(report.metrics.accuracy >= 0.9, `accuracy ${report.metrics.accuracy}`);
    const metrics = await waitFor('metrics in the tree', async () => {
      const project = (await renderedChildren(api)).find((p) => p.label === 'iris-classifier')!;
      const validation = (await renderedChildren(api, project.node)).find((c) => c.label === 'Validation')!;
      const rows = await renderedChildren(api, validation.node);
      return rows.some((r) => r.label === 'accuracy') && rows;
    });
    assert.equal(metrics.find((m) => m.label === 'accuracy')?.description, report.metrics.accuracy.toFixed(4));
  });

  it('Inspect Model opens a report of the model', async () => {
    const api = await activateExtension();
    const iris = (await renderedChildren(api)).find((p) => p.label === 'iris-classifier')!;
    await vscode.commands.executeCommand('modelDeploy.inspectModel', iris.node);
    const editor = await waitFor('the report editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'modeldeploy-report'));
    const text = editor.document.getText();
    assert.match(text, /sha256 {4}[0-9a-f]{64}/);
    assert.match(text, /input\s+float_input\s+float32/);
  });

  it('Initialize Project writes a config next to a model and the tree picks it up', async () => {
    const api = await activateExtension();
    const dir = path.join(workspaceDir(), 'new-model');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(workspaceDir(), 'iris', 'model', 'iris-v1.onnx'), path.join(dir, 'classifier.onnx'));
    try {
      await vscode.commands.executeCommand('modelDeploy.initProject', vscode.Uri.file(path.join(dir, 'classifier.onnx')));
      const config = fs.readFileSync(path.join(dir, 'modeldeploy.yaml'), 'utf8');
      assert.match(config, /^model: classifier\.onnx$/m);
      assert.match(config, /^task: classification/m);
      assert.match(config, /#\s+input\s+float_input: float32/);
      await waitFor('the new project in the tree', async () => (await renderedChildren(api)).some((p) => p.label === 'new-model'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Validate on a project whose config has errors reports them and writes nothing', async () => {
    const api = await activateExtension();
    const broken = (await renderedChildren(api)).find((p) => p.contextValue === 'project.invalid')!;
    const shown: { message: string; actions: string[] }[] = [];
    const restore = stubWindow('showErrorMessage', ((message: string, ...actions: string[]) => {
      shown.push({ message, actions });
      return Promise.resolve(undefined);
    }) as never);
    try {
      // The error boundary turns the failure into a message; the command itself settles normally.
      assert.equal(await vscode.commands.executeCommand('modelDeploy.validate', broken.node), undefined);
    } finally {
      restore();
    }
    assert.equal(shown.length, 1, `messages: ${shown.map((m) => m.message).join(' | ')}`);
    assert.match(shown[0].message, /^Model Deploy: [\s\S]*broken[\\/]modeldeploy\.yaml:3:1: unknown key "modle"\. did you mean "model"\?/);
    assert.deepEqual(shown[0].actions, ['Open File', 'Show Logs']);
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'broken', '.modeldeploy')), false);
    assert.equal((await renderedChildren(api)).find((p) => p.contextValue?.startsWith('project.invalid'))?.contextValue, 'project.invalid', 'no activity is left behind');
  });
});
