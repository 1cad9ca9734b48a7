import * as http from 'node:http';
import { environmentOf } from '../../../src/core/deploy/environments';
import { localEnvironmentState } from '../../../src/core/deploy/localEnvironment';
import { loadProject } from '../../../src/core/project/loadProject';
import { pollUntil } from '../../integration/deployFixture';
import { docker } from '../../integration/engineFixture';
import type { FaultTarget } from './faultTarget';

/**
 * A client in the middle of an upload to a local environment's active version: its request is in flight
 * on that version, so after a switch the deploy waits for it to drain before retiring the old version.
 * That holds the deploy in the window after the switch for as long as the test needs it.
 */
export async function holdRequestOnActiveVersion(target: FaultTarget): Promise<{ release: () => void }> {
  const project = loadProject(target.project.dir);
  const state = await localEnvironmentState(docker, project, environmentOf(project, target.environment));
  const admin = state.router?.admin;
  if (!admin || !state.active) throw new Error(`${target.label} has no router and active version to hold a request on`);
  const request = http.request(`${state.url}/v2/models/${target.project.name}/infer`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
  request.on('error', () => undefined); // destroyed on release
  request.write('{"inputs": [');
  const active = (await admin.upstream()).url!;
  await pollUntil(async () => ((await admin.upstream()).inFlight[active] ?? 0) > 0, `the held request to be in flight on ${active}`, 30_000);
  return { release: () => request.destroy() };
}
