import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import * as vscode from 'vscode';
import type { RunResult } from '../../../src/core/container/runContainer';
import { LABEL } from '../../../src/core/packaging/imageLabels';
import type { BuildResult } from '../../../src/core/packaging/buildImage';
import type { PredictResult } from '../../../src/core/predict/predict';
import type { ModelDeployApi } from '../../../src/extension/modelDeploy';
import { removeProjectResources } from '../../integration/engineFixture';
import { activateExtension, copyIris, renderedChildren, waitFor, workspaceDir } from './helpers';

describe('images and containers, on the real Docker engine', function () {
  this.timeout(180_000);
  const name = `ext-iris-${randomBytes(4).toString('hex')}`;
  const dir = path.join(workspaceDir(), name);
  let api: ModelDeployApi;

  const project = async () => waitFor(`the ${name} project in the tree`, async () => (await renderedChildren(api)).find((p) => p.label === name));
  const group = async (label: 'Images' | 'Containers') => {
    const children = await renderedChildren(api, (await project()).node);
    return children.find((c) => c.label === label)!;
  };

  before(async () => {
    copyIris(dir, name);
    api = await activateExtension();
    await api.store.refresh();
    await project();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeProjectResources(name);
  });

  it('Build Image builds <name>:<version>, and the Images node lists it with its size and age', async () => {
    const result = await vscode.commands.executeCommand<BuildResult>('modelDeploy.buildImage', (await project()).node);
    assert.equal(result?.image, `${name}:2.0.0`);
    const images = await waitFor('the image in the tree', async () => {
      const children = await renderedChildren(api, (await group('Images')).node);
      return children.some((c) => c.contextValue === 'image') && children;
    });
    assert.equal(images[0].label, `${name}:2.0.0`);
    assert.match(images[0].description, /^\d+ MiB · (just now|\d+ min ago)$/);
  });

  it('Run Locally starts the container; Containers shows its port, and the status bar says it runs', async () => {
    const result = await vscode.commands.executeCommand<RunResult>('modelDeploy.runLocally', (await project()).node);
    assert.ok(result?.port, 'the command returns the published port');
    // The status bar first, before anything opens the tree: it must learn of the container by itself.
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, 'modeldeploy.yaml')));
    await waitFor('"running on" in the status bar', () => api.statusBar.text.includes(`running on :${result.port}`));
    const containers = await waitFor('the running container in the tree', async () => {
      const children = await renderedChildren(api, (await group('Containers')).node);
      return children.some((c) => c.contextValue === 'container.running') && children;
    });
    assert.equal(containers[0].label, `:${result.port}`);
    assert.match(containers[0].description, new RegExp(`^${name}:2\\.0\\.0 · `));
  });

  it('Test Prediction opens the request for editing, sends it, and shows the answer with parity', async () => {
    const result = await vscode.commands.executeCommand<PredictResult>('modelDeploy.testPrediction', (await project()).node);
    assert.ok(result, 'the prediction ran');
    assert.ok(result.parity.ok && result.parity.maxAbsDiff <= 1e-5);
    assert.deepEqual(result.response.outputs[0].parameters?.class_names, ['setosa', 'virginica']);
    const request = path.join(dir, '.modeldeploy', 'test-request.json');
    assert.ok(fs.existsSync(request));
    const editors = vscode.window.visibleTextEditors.map((e) => e.document);
    assert.ok(editors.some((d) => d.uri.fsPath === request), 'the request is open');
    const report = editors.find((d) => d.uri.scheme === 'modeldeploy-report' && d.uri.path.endsWith('prediction.txt'));
    assert.ok(report, 'the answer is shown beside it');
    assert.match(report.getText(), /parity with in-process onnxruntime: max \|difference\| 0 \(ok/);
  });

  it('Send Test Prediction sends the edited request', async () => {
    const request = path.join(dir, '.modeldeploy', 'test-request.json');
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(request));
    const edited = JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.9, 3, 4.2, 1.5] }] });
    await editor.edit((edit) => edit.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), edited));
    // Sent as edited, before it is saved; saved afterwards so that no editor is left dirty.
    const result = await vscode.commands.executeCommand<PredictResult>('modelDeploy.sendPrediction', editor.document.uri);
    await editor.document.save();
    assert.deepEqual(result?.response.outputs[0].parameters?.class_names, ['versicolor']);
  });

  it('with the binary tensors setting, Test Prediction sends binary tensor data and checks parity the same way', async () => {
    const request = vscode.Uri.file(path.join(dir, '.modeldeploy', 'test-request.json'));
    // The response bytes of the last inference in the server's access log: a binary answer is framed otherwise than JSON.
    const inferLines = async () => {
      const log = (await vscode.commands.executeCommand<string>('modelDeploy.showContainerLogs', (await project()).node)) ?? '';
      return log.split('\n').filter((line) => line.includes(`"path":"/v2/models/${name}/infer"`)).map((line) => (JSON.parse(line) as { bytes: number }).bytes);
    };
    // The server writes its access log once per event-loop turn: wait for the line of the request just sent.
    const lastInferBytes = async (seen: number) => (await waitFor('the inference in the access log', async () => { const lines = await inferLines(); return lines.length > seen && lines; })).pop()!;
    const settings = vscode.workspace.getConfiguration('modelDeploy');
    const before = (await inferLines()).length;
    const json = await vscode.commands.executeCommand<PredictResult>('modelDeploy.sendPrediction', request);
    const jsonBytes = await lastInferBytes(before);
    await settings.update('testPrediction.binaryTensors', true, vscode.ConfigurationTarget.Global);
    try {
      const binary = await vscode.commands.executeCommand<PredictResult>('modelDeploy.sendPrediction', request);
      assert.ok(binary?.parity.ok, 'parity holds over binary tensors');
      assert.deepEqual(binary.response.outputs[0].parameters?.class_names, json?.response.outputs[0].parameters?.class_names);
      assert.deepEqual(binary.response.outputs.map((o) => o.data), json?.response.outputs.map((o) => o.data), 'the same numbers as over JSON');
      assert.notEqual(await lastInferBytes(before + 1), jsonBytes, 'the server answered in binary framing');
    } finally {
      await settings.update('testPrediction.binaryTensors', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Show Container Logs shows the server output', async () => {
    const text = await vscode.commands.executeCommand<string>('modelDeploy.showContainerLogs', (await project()).node);
    assert.match(text ?? '', /"message":"ready"/);
    assert.match(text ?? '', new RegExp(`"path":"/v2/models/${name}/infer"`));
  });

  it('Stop Container removes it, and Containers says it is not running', async () => {
    const removed = await vscode.commands.executeCommand<string[]>('modelDeploy.stopContainer', (await project()).node);
    assert.equal(removed?.length, 1);
    await waitFor('the container gone from the tree', async () => {
      const children = await renderedChildren(api, (await group('Containers')).node);
      return children.length === 1 && children[0].label === 'not running: Run Locally';
    });
  });

  it('a container removed outside the tool leaves the tree through the engine\'s events', async () => {
    await vscode.commands.executeCommand<RunResult>('modelDeploy.runLocally', (await project()).node);
    await waitFor('the running container in the tree', async () => (await renderedChildren(api, (await group('Containers')).node)).some((c) => c.contextValue === 'container.running'));
    const docker = new Docker();
    for (const c of await docker.listContainers({ filters: { label: [`${LABEL.project}=${name}`] } })) await docker.getContainer(c.Id).remove({ force: true });
    // No command runs: only the engine's "destroy" event can tell the tree.
    await waitFor('the container gone from the tree', async () => {
      const children = await renderedChildren(api, (await group('Containers')).node);
      return children.length === 1 && children[0].label === 'not running: Run Locally';
    });
  });

  it('Eject Dockerfile writes the Dockerfile into the project and opens it', async () => {
    const file = await vscode.commands.executeCommand<string>('modelDeploy.ejectDockerfile', (await project()).node);
    assert.equal(file, path.join(dir, 'Dockerfile'));
    assert.match(fs.readFileSync(file, 'utf8'), /^FROM \$\{MODELDEPLOY_RUNTIME\}$/m);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
  });
});
