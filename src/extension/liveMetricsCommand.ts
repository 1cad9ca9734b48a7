import { UserError } from '../core/errors';
import type { ProjectConfig } from '../core/project/projectConfig';
import type { CommandServices } from './commandTable';
import { chooseEnvironment } from './deployCommands';
import type { EnvironmentView } from './environmentStore';
import { LiveMetricsPanel } from './liveMetricsPanel';
import { liveUrlOf } from './liveMetricsStore';
import { requireConfig, resolveProject } from './resolveProject';

/** Show Live Metrics: the charts of an environment that serves (the tree node it was invoked on, or a pick). */
export async function showLiveMetricsCommand(services: CommandServices, arg?: unknown): Promise<LiveMetricsPanel> {
  const entry = await resolveProject(services.store, services.statusBar, arg);
  const config = requireConfig(entry);
  const environment = await chooseEnvironment(services, config, arg, `Show the live metrics of which environment of ${config.name}?`);
  const view = await services.environments.environment(config, environment);
  if (!view) throw new UserError(`${config.name} has no environment ${environment}`, { file: config.configFile, field: 'environments' });
  if (!liveUrlOf(view)) throw notServing(config, view);
  return LiveMetricsPanel.show(services.extensionUri, services.live, config, environment);
}

/** Why an environment has no live metrics to show: it cannot be read, runs nothing, or serves nowhere known. */
function notServing(config: ProjectConfig, view: EnvironmentView): UserError {
  if (view.error) return new UserError(`${view.name} cannot be read: ${view.error}`);
  const current = view.status?.current;
  if (!current) return new UserError(`nothing is deployed to ${view.name}, so it has no live metrics`, undefined, 'deploy a version first: Model Deploy: Deploy to Environment...');
  if (view.kind === 'registry' && !view.config.run) {
    return new UserError(
      `${view.name} deploys to the registry ${view.config.registry}, which does not say where its service answers`,
      { file: config.configFile, field: `environments.${view.name}` },
      `add url: under environments.${view.name} in modeldeploy.yaml, the address the service answers on; its /metrics is read there`,
    );
  }
  return new UserError(`${view.name} runs ${current.version} but nothing serves it here (its router is not running)`, undefined, 'deploy again: Model Deploy: Deploy to Environment...');
}
