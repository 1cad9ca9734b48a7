import * as assert from 'node:assert/strict';
import { withLabels } from '../../src/core/packaging/dockerfile';
import { runEngineBuild } from '../../src/core/packaging/engineBuild';
import { docker, uniqueName } from './engineFixture';

describe('label values survive the real builder', () => {
  const tag = `${uniqueName('it-labels')}:1`;
  after(async () => {
    await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  });

  it('quotes, backslashes, dollars, backticks, JSON and unicode come back from the image exactly as given', async () => {
    const labels = {
      'org.example.quotes': 'say "hi" and \'bye\'',
      'org.example.backslashes': 'C:\\models\\iris\\ and a trailing \\',
      'org.example.dollars': '$HOME ${PATH} $$ $(id) \\$escaped',
      'org.example.backticks': '`id`',
      'org.example.json': JSON.stringify({ accuracy: 0.97, note: 'a "quoted" \\ value', cost: '$5' }),
      'org.example.unicode': 'größe ✓ 模型',
      'org.example.spaces': '  lead and trail  ',
      'org.example.empty': '',
    };
    const dockerfile = withLabels('FROM node:20-bookworm-slim\n', labels);
    await runEngineBuild(docker, [{ archivePath: 'Dockerfile', content: dockerfile }], { tag, platform: 'linux/amd64', onOutput: () => undefined, idleTimeoutMs: 120_000 });
    const read = (await docker.getImage(tag).inspect()).Config.Labels ?? {};
    for (const [key, value] of Object.entries(labels)) assert.equal(read[key], value, key);
  });
});
