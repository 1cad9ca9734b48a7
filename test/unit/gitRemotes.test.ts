import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { gitSource } from '../../src/core/packaging/gitSource';
import { makeProject } from '../support/projectFixture';

describe('gitSource: the image source label never carries credentials', () => {
  let project: { dir: string; cleanup: () => void };
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: project.dir, encoding: 'utf8' }).trim();
  before(() => {
    project = makeProject({ 'model.onnx': 'x' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'x');
  });
  after(() => project.cleanup());

  it('a repository without a remote gives the commit and no URL', async () => {
    assert.deepEqual(await gitSource(project.dir), { revision: git('rev-parse', 'HEAD'), url: undefined });
  });

  const remotes: [string, string][] = [
    ['https://alice:ghp_secret@github.com/acme/models.git', 'https://github.com/acme/models.git'],
    ['https://x-access-token:ghs_abc123@github.com/acme/models.git', 'https://github.com/acme/models.git'],
    ['https://oauth2:glpat-XyZ@gitlab.example.com:8443/team/models.git', 'https://gitlab.example.com:8443/team/models.git'],
    ['https://ghp_tokenonly@github.com/acme/models', 'https://github.com/acme/models'],
    ['http://user:p%40ss@10.0.0.5/models.git', 'http://10.0.0.5/models.git'],
    ['ssh://git:secret@git.example.com/models.git', 'ssh://git.example.com/models.git'],
    ['https://github.com/acme/models.git', 'https://github.com/acme/models.git'],
    // scp-like: the user part is the SSH account (no secret can sit there), kept as git shows it.
    ['git@github.com:acme/models.git', 'git@github.com:acme/models.git'],
  ];
  for (const [remote, expected] of remotes) {
    it(`${remote} -> ${expected}`, async () => {
      try {
        git('remote', 'add', 'origin', remote);
        const source = await gitSource(project.dir);
        assert.equal(source.url, expected);
        assert.equal(source.revision, git('rev-parse', 'HEAD'));
      } finally {
        git('remote', 'remove', 'origin');
      }
    });
  }

  it('a folder below the repository root gets the same commit', async () => {
    const sub = `${project.dir}/models/iris`;
    fs.mkdirSync(sub, { recursive: true });
    assert.equal((await gitSource(sub)).revision, git('rev-parse', 'HEAD'));
  });
});
