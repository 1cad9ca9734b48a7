import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

interface WalkthroughStep {
  id: string;
  description: string;
  media: { markdown: string };
  completionEvents: string[];
}

describe('the getting-started walkthrough', function () {
  this.timeout(60_000);
  const extension = () => vscode.extensions.getExtension(EXTENSION_ID)!;
  const steps = () => (extension().packageJSON.contributes.walkthroughs as { id: string; steps: WalkthroughStep[] }[])[0].steps;

  it('walks through opening a project, validating, building and running, a test prediction and a deploy', () => {
    assert.deepEqual(steps().map((step) => step.id), ['openProject', 'validate', 'buildAndRun', 'testPrediction', 'deploy']);
  });

  it('every step shows a page that ships with the extension, and links to commands that exist', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const step of steps()) {
      const page = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension().extensionUri, step.media.markdown));
      assert.match(Buffer.from(page).toString('utf8'), /^# /, `${step.media.markdown} is a page with a title`);
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((match) => match[1]);
      assert.ok(linked.length > 0, `step ${step.id} links to at least one command`);
      for (const command of linked) assert.ok(commands.has(command), `step ${step.id} links to ${command}, which is registered`);
    }
  });

  it('each step completes on a command that is registered, or on the context key the extension sets', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const step of steps()) {
      for (const event of step.completionEvents) {
        const [kind, name] = event.split(':');
        if (kind === 'onCommand') assert.ok(commands.has(name), `${step.id} completes on ${name}, which is registered`);
        else assert.equal(event, 'onContext:modelDeploy.hasProjects', `${step.id} completes on a context key the extension sets`);
      }
    }
  });
});
