import { connectEngine } from '../core/engine/dockerEngine';
import { UserError } from '../core/errors';
import { diffEnvironment, deployProject } from '../core/deploy/deploy';
import { environmentOf } from '../core/deploy/environments';
import { environmentHistory } from '../core/deploy/history';
import type { DeployPorts } from '../core/deploy/ports';
import { promote } from '../core/deploy/promote';
import { promoteTrial } from '../core/deploy/promoteTrial';
import type { ReleaseResult } from '../core/deploy/release';
import { rollback } from '../core/deploy/rollback';
import { loadProject } from '../core/project/loadProject';
import { dockerConfigCredentials, removeDockerLogin, storeDockerLogin } from '../core/registry/credentials';
import { RegistryClient } from '../core/registry/registryClient';
import { registryTarget } from '../core/registry/registryReference';
import { formatDiffMarkdown } from '../core/report/diffReport';
import { formatHistory, formatRelease } from '../core/report/deployReport';
import type { CliContext } from './cliCommands';
import { EXIT_CHECK_FAILED } from './cliOutput';
import { readSecret } from './readSecret';

/** The CLI's side of the deploy ports: Docker's own credentials, --yes for approval, progress on stderr. */
function cliPorts(ctx: CliContext): DeployPorts {
  return {
    credentials: dockerConfigCredentials(),
    progress: (message) => {
      if (!ctx.json) process.stderr.write(`${message}\n`);
    },
    approve: async (request) => {
      if (ctx.yes) return true;
      throw new UserError(`${request.environment} requires approval to ${request.action} ${request.version}`, undefined, 'read the diff (modeldeploy diff), then run again with --yes to approve');
    },
  };
}

function releaseJson(result: ReleaseResult) {
  const { environment, version, digest, url, image, changed, smoke, swapMs, canary, shadow } = result;
  return { environment, version, digest, ...(url ? { url } : {}), image, changed, ...(smoke ? { smoke } : {}), ...(swapMs !== undefined ? { swapMs: Math.round(swapMs) } : {}), ...(canary ? { canary } : {}), ...(shadow ? { shadow } : {}), ...(result.diff ? { diff: result.diff } : {}) };
}

/** `--canary PERCENT` as a number; core checks its range. */
function canaryShare(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UserError(text ? `--canary ${text} is not a percentage` : '--canary needs a percentage', undefined, 'give the canary\'s share of the requests, a whole number from 1 to 99: --canary 10');
  return Number(text);
}

/** The project, with its environment names checked before the engine is asked anything. */
function projectWithEnvironments(ctx: CliContext, ...names: (string | undefined)[]) {
  const project = loadProject(ctx.projectDir);
  for (const name of names) environmentOf(project, name);
  return project;
}

function print(ctx: CliContext, value: unknown, text: string): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** The registry a login is for: --registry, else the one environment that has a registry. */
function loginRegistry(ctx: CliContext): string {
  if (ctx.registry) return registryTarget(ctx.registry, 'x').host;
  const registries = [...new Set(loadProject(ctx.projectDir).environments.flatMap((e) => (e.registry ? [registryTarget(e.registry, 'x').host] : [])))];
  if (registries.length !== 1) throw new UserError(registries.length ? `the project uses ${registries.length} registries` : 'the project deploys to no registry', undefined, 'name one with --registry HOST[:PORT]');
  return registries[0];
}

export const deployCommands = {
  diff: {
    summary: 'compare the candidate with what an environment runs: metrics, changed predictions, significance, gates (--env)',
    async run(ctx: CliContext) {
      const project = projectWithEnvironments(ctx, ctx.env);
      const diff = await diffEnvironment(await connectEngine(), project, ctx.env, cliPorts(ctx), ctx.signal);
      print(ctx, diff, formatDiffMarkdown(diff));
      return 0;
    },
  },
  deploy: {
    summary: 'deploy the built image to an environment after its diff, gates and approval (--env, --yes; --canary PERCENT [--analyze] or --shadow)',
    async run(ctx: CliContext) {
      const canary = canaryShare(ctx.canary);
      const project = projectWithEnvironments(ctx, ctx.env);
      const result = await deployProject(await connectEngine(), project, ctx.env, cliPorts(ctx), ctx.signal, { canary, analyze: ctx.analyze, shadow: ctx.shadow });
      print(ctx, releaseJson(result), formatRelease(result));
      const analysis = result.canary?.analysis;
      if (analysis?.verdict !== 'regression') return 0;
      // The canary was rolled back by its analysis: the check failed.
      process.stderr.write(`error: the canary ${result.version} regressed and was rolled back: ${analysis.reasons.join('; ')}\n`);
      return EXIT_CHECK_FAILED;
    },
  },
  promote: {
    summary: 'copy the exact image an environment runs to another (--from staging --to production), no rebuild; --canary or --shadow: give an environment\'s canary or shadow every request',
    async run(ctx: CliContext) {
      if (ctx.canary !== undefined || ctx.shadow) {
        if (ctx.canary && ctx.canary !== '') throw new UserError(`promote --canary takes no value (it was given "${ctx.canary}")`, undefined, 'name the environment with --env: modeldeploy promote --canary --env production');
        if (ctx.canary !== undefined && ctx.shadow) throw new UserError('promote takes --canary or --shadow, not both', undefined, 'an environment runs one trial at a time: name the one it runs');
        const environment = ctx.env ?? ctx.to ?? 'production';
        const project = projectWithEnvironments(ctx, environment);
        const result = await promoteTrial(await connectEngine(), project, environment, ctx.shadow ? 'shadow' : 'canary', cliPorts(ctx), ctx.signal);
        print(ctx, releaseJson(result), formatRelease(result));
        return 0;
      }
      const [from, to] = [ctx.from ?? 'staging', ctx.to ?? 'production'];
      const project = projectWithEnvironments(ctx, from, to);
      const result = await promote(await connectEngine(), project, from, to, cliPorts(ctx), ctx.signal);
      print(ctx, releaseJson(result), formatRelease(result));
      return 0;
    },
  },
  rollback: {
    summary: 'put an environment back on an earlier image from its history (--env, --to VERSION|DIGEST); abort its canary or shadow if one runs',
    async run(ctx: CliContext) {
      const project = projectWithEnvironments(ctx, ctx.env);
      const result = await rollback(await connectEngine(), project, ctx.env, ctx.to, cliPorts(ctx), ctx.signal);
      print(ctx, releaseJson(result), formatRelease(result));
      return 0;
    },
  },
  history: {
    summary: "an environment's deploys, promotions and rollbacks, newest first (--env)",
    async run(ctx: CliContext) {
      const project = projectWithEnvironments(ctx, ctx.env);
      const history = await environmentHistory(await connectEngine(), project, ctx.env, cliPorts(ctx).credentials);
      print(ctx, history, formatHistory(history));
      return 0;
    },
  },
  login: {
    summary: "log in to a registry (--registry HOST, --username USER, the password on stdin), kept in Docker's credentials",
    async run(ctx: CliContext) {
      const host = loginRegistry(ctx);
      if (!ctx.username) throw new UserError('login needs --username', undefined, 'pipe the password on stdin: echo "$TOKEN" | modeldeploy login --registry HOST --username USER');
      const password = await readSecret();
      const credentials = { username: ctx.username, password };
      await new RegistryClient(host, { credentials: { get: async () => credentials } }).ping();
      await storeDockerLogin(host, credentials);
      print(ctx, { registry: host, username: ctx.username }, `logged in to ${host} as ${ctx.username}`);
      return 0;
    },
  },
  logout: {
    summary: 'forget the login of a registry (--registry HOST)',
    async run(ctx: CliContext) {
      const host = loginRegistry(ctx);
      const removed = await removeDockerLogin(host);
      print(ctx, { registry: host, removed }, removed ? `logged out of ${host}` : `there was no login for ${host}`);
      return 0;
    },
  },
};
