import * as assert from 'node:assert/strict';
import { activateExtension, renderedChildren } from './helpers';

describe('the Projects tree', () => {
  it('lists every model project of the workspace with its version', async () => {
    const api = await activateExtension();
    const projects = await renderedChildren(api);
    const byName = new Map(projects.map((p) => [p.label, p]));
    assert.equal(byName.get('iris-classifier')?.description, '2.0.0');
    assert.equal(byName.get('iris-classifier')?.contextValue, 'project.valid');
    assert.ok(byName.has('house-prices'), `projects: ${[...byName.keys()].join(', ')}`);
  });

  it('shows the model\'s inputs and outputs under the project', async () => {
    const api = await activateExtension();
    const iris = (await renderedChildren(api)).find((p) => p.label === 'iris-classifier')!;
    const children = await renderedChildren(api, iris.node);
    assert.deepEqual(
      children.map((c) => c.label),
      ['Model', 'Validation', 'Images', 'Containers', 'Environments'],
    );
    const tensors = await renderedChildren(api, children[0].node);
    const input = tensors.find((t) => t.label === 'float_input');
    assert.ok(input, `tensors: ${tensors.map((t) => t.label).join(', ')}`);
    assert.match(input.description, /^input · float32 \[.+, 4\]$/);
    assert.equal(input.contextValue, 'tensor.input');
    const probabilities = tensors.find((t) => t.label === 'probabilities');
    assert.match(probabilities?.description ?? '', /^output · float32 \[.+, 3\]$/);
  });

  it('shows config errors as children of a broken project', async () => {
    const api = await activateExtension();
    const broken = (await renderedChildren(api)).find((p) => p.contextValue === 'project.invalid');
    assert.ok(broken, 'the workspace has a project with a broken config');
    assert.match(broken.description, /1 config error/);
    const problems = await renderedChildren(api, broken.node);
    assert.equal(problems.length, 1);
    assert.match(problems[0].label, /unknown key "modle"/);
    assert.equal(problems[0].description, 'line 3');
  });
});
