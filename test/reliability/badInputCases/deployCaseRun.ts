import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerConfigDir, editConfig, setEnvironments, V1, type DeployProject } from '../../integration/deployFixture';
import { assertNothingLeftBehind, snapshotEngine } from '../../integration/engineFixture';
import { assertClearRefusal, relativeFiles, runBounded, type CaseOutcome } from './cliCase';
import type { DeployCase } from './deployCases';
import { startFakeRegistry, type FakeRegistry } from './fakeRegistry';

/**
 * Runs a deploy case on the shared built project, its config changed for the case and put back after:
 * the refusal must be clear, and the engine, the project folder (audit trail, locks) and the temp
 * folder must be as they were.
 */
export async function runDeployCase(project: DeployProject, c: DeployCase): Promise<CaseOutcome> {
  const configFile = path.join(project.dir, 'modeldeploy.yaml');
  const config = fs.readFileSync(configFile, 'utf8');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldeploy-bad-input-tmp-'));
  // No logins: the user's Docker credentials are never offered to a fake registry.
  const dockerConfig = dockerConfigDir();
  let registry: FakeRegistry | undefined;
  try {
    if (c.registry) {
      if (typeof c.registry === 'object') setEnvironments(project.dir, { staging: { registry: c.registry.literal }, production: {} });
      else setEnvironments(project.dir, { staging: { registry: (registry = await startFakeRegistry(c.registry)).host }, production: {} });
    }
    if (c.version) editConfig(project.dir, (doc) => doc.set('version', c.version));
    const engine = await snapshotEngine(project.name, `${project.name}:${V1.version}`);
    const filesBefore = relativeFiles(project.dir);
    const run = await runBounded([...c.args, '--json'], { cwd: project.dir, env: { TMPDIR: tmp, DOCKER_CONFIG: dockerConfig.dir } });
    assertClearRefusal(run, c);
    const leftovers = [...relativeFiles(project.dir).filter((f) => !filesBefore.includes(f)).map((f) => `project file ${f}`), ...relativeFiles(tmp).map((f) => `temp file ${f}`)];
    await assertNothingLeftBehind(engine).catch((error: Error) => leftovers.push(`engine: ${error.message}`));
    return { seconds: run.seconds, leftovers };
  } finally {
    fs.writeFileSync(configFile, config);
    await registry?.close();
    dockerConfig.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
