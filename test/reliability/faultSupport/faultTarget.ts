import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RegistryClient } from '../../../src/core/registry/registryClient';
import { buildVersion, paddedModel, useVersion, V1, V2, type DeployProject } from '../../integration/deployFixture';

/** A version of the project: what `version:` and `model:` say in modeldeploy.yaml. */
export interface Release {
  version: string;
  model: string;
}

/** An environment that faults are applied to, and what the CLI needs to reach it. */
export interface FaultTarget {
  /** For the table: "local staging", "registry staging". */
  label: string;
  project: DeployProject;
  environment: string;
  /** A registry environment's registry; a local environment has none. */
  registry?: { host: string; client: RegistryClient };
  /** The CLI's environment variables for this target (its DOCKER_CONFIG). */
  env: NodeJS.ProcessEnv;
}

export function deployArgs(target: FaultTarget, ...extra: string[]): string[] {
  return target.project.args('deploy', '--env', target.environment, ...extra);
}

/** Switches the project's config to a release, as a person does before deploying it. */
export function select(target: FaultTarget, release: Release): void {
  useVersion(target.project.dir, release);
}

export interface ReleaseOptions {
  /** A model padded to tens of MB, so that pushing its layer takes a while. */
  big?: boolean;
  /** A project Dockerfile to build this release with (removed again after the build). */
  dockerfile?: string;
}

/**
 * New versions of a project, each validated and built: every fault deploys a version the environment has
 * never seen (a registry never holds it yet, so a deploy pushes it), v1's and v2's model in turn.
 */
export class Releases {
  private count = 0;

  constructor(private readonly project: DeployProject) {}

  async next(options: ReleaseOptions = {}): Promise<Release> {
    this.count += 1;
    const release = { version: `1.${this.count}.0`, model: this.count % 2 ? V2.model : V1.model };
    if (options.big) {
      const big = `model/iris-big-${this.count}.onnx`;
      paddedModel(path.join(this.project.dir, V2.model), path.join(this.project.dir, big), 48 * 1024 * 1024);
      release.model = big;
    }
    await this.build(release, options.dockerfile);
    return release;
  }

  /** Builds a release (again), with a project Dockerfile when given. */
  async build(release: Release, dockerfile?: string): Promise<void> {
    const file = path.join(this.project.dir, 'Dockerfile');
    if (dockerfile) fs.writeFileSync(file, dockerfile);
    try {
      await buildVersion(this.project, release);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
}
