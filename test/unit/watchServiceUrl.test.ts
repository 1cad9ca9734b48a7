import * as assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors';
import type { EnvironmentConfig } from '../../src/core/project/projectConfig';
import { environmentServiceUrl } from '../../src/core/watch/environmentServiceUrl';

const project = (...environments: EnvironmentConfig[]) => ({ name: 'iris', dir: '/projects/iris', version: '1.0.0', configFile: '/projects/iris/modeldeploy.yaml', environments });
const staging: EnvironmentConfig = { name: 'staging', approval: 'none' };
const registry: EnvironmentConfig = { name: 'production', approval: 'none', registry: 'registry.example.com/team' };
/** An environment whose address is known without the engine must not ask for it. */
const noEngine = () => Promise.reject(new Error('the engine was asked'));

describe("watch: an environment's service address", () => {
  it("is a registry environment's url from the config", async () => {
    assert.equal(await environmentServiceUrl(project(staging, { ...registry, url: 'https://models.example.com/iris' }), 'production', noEngine), 'https://models.example.com/iris');
  });

  it('is the url from the config also for a registry environment that is run here too', async () => {
    assert.equal(await environmentServiceUrl(project({ ...registry, run: {}, url: 'https://models.example.com/iris' }), 'production', noEngine), 'https://models.example.com/iris');
  });

  it('is refused for a registry environment without a url, saying where to add one', async () => {
    await assert.rejects(environmentServiceUrl(project(staging, registry), 'production', noEngine), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, 'production deploys to the registry registry.example.com/team, which does not say where its service answers');
      assert.deepEqual(error.location, { file: '/projects/iris/modeldeploy.yaml', field: 'environments.production' });
      assert.match(error.hint ?? '', /^add url: under environments\.production in modeldeploy\.yaml/);
      return true;
    });
  });

  it('is refused for an environment the project does not have, naming the ones it has', async () => {
    await assert.rejects(environmentServiceUrl(project(staging, registry), 'canary', noEngine), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, 'the project has no environment "canary"');
      assert.match(error.hint ?? '', /staging, production/);
      return true;
    });
  });

  it('is refused without --env', async () => {
    await assert.rejects(environmentServiceUrl(project(staging), undefined, noEngine), /which environment\?/);
  });

  it('asks the engine for a local environment', async () => {
    await assert.rejects(environmentServiceUrl(project(staging), 'staging', noEngine), /the engine was asked/);
  });
});
