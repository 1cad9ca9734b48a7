import * as assert from 'node:assert/strict';
import { cli } from '../support/cliProcess';

describe('modeldeploy run --port', () => {
  // A folder that is no project and an engine that is not there: the port is checked before either.
  const nowhere = { DOCKER_HOST: 'unix:///tmp/modeldeploy-no-engine.sock' };

  for (const value of ['abc', '0', '65536', '99999', '8080.5', '1e3', '0x50', ' 80', '80 ', '', '+80']) {
    it(`refuses ${JSON.stringify(value)} with exit 2 and one line, before looking for the project or the engine`, () => {
      const run = cli(['run', `--port=${value}`, '--project', '/nonexistent/modeldeploy-project'], { env: nowhere });
      assert.equal(run.code, 2);
      assert.equal(run.stderr, `error: --port ${value} is not a port number from 1 to 65535\n`);
      assert.equal(run.stdout, '');
    });
  }

  it('takes a port number, then goes on to the project', () => {
    const run = cli(['run', '--port', '8601', '--project', '/nonexistent/modeldeploy-project'], { env: nowhere });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: \/nonexistent\/modeldeploy-project: no modeldeploy\.yaml in /);
  });

  it('a --port with no value is a usage error, not a crash', () => {
    const run = cli(['run', '--port'], { env: nowhere });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: Option '--port <value>' argument missing/);
    assert.match(run.stderr, /usage: modeldeploy <command>/);
    assert.doesNotMatch(run.stderr, /^\s+at /m);
  });
});
