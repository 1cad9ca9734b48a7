import { createHash } from 'node:crypto';
import type { RegistryBehaviour, RegistryReply } from './fakeRegistry';

/**
 * A bad deploy input. The project is the iris example at 1.0.0, validated and built; with `registry`,
 * staging pushes to a registry that behaves so (production stays local); without, both environments
 * are the embedded local ones.
 */
export interface DeployCase {
  name: string;
  registry?: RegistryBehaviour | { literal: string };
  /** The version modeldeploy.yaml says, for this case only. */
  version?: string;
  args: string[];
  exit: number;
  error: RegExp;
}

/** A loopback registry, as the messages name it. */
const REGISTRY = '127\\.0\\.0\\.1:\\d+';
const registryError = (text: string) => new RegExp(text.replace('REGISTRY', REGISTRY));

const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  list: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
};
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** Answers manifests (and optionally tags and blobs) so; everything else is 404 as from an empty registry. */
function registryAnswering(answers: { manifest?: RegistryReply; tags?: RegistryReply; blob?: RegistryReply }): RegistryBehaviour {
  return (_method, path) => {
    if (path === '/v2/') return { status: 200, body: '{}' };
    if (path.includes('/manifests/') && answers.manifest) return answers.manifest;
    if (path.endsWith('/tags/list') && answers.tags) return answers.tags;
    if (path.includes('/blobs/') && answers.blob) return answers.blob;
    return { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };
  };
}

const HTML = '<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>';
const htmlEverywhere: RegistryBehaviour = () => ({ status: 200, type: 'text/html', body: HTML });
const invalidJson: RegistryBehaviour = () => ({ status: 200, body: '{"schemaVersion": 2, "config": {' });
const serverError: RegistryBehaviour = () => ({ status: 500, type: 'text/html', body: HTML });
const schema1 = registryAnswering({ manifest: { status: 200, type: 'application/vnd.docker.distribution.manifest.v1+prettyjws', body: '{"schemaVersion":1,"name":"x","tag":"staging","fsLayers":[],"history":[]}' } });
const configAsManifest = registryAnswering({ manifest: { status: 200, type: MEDIA.config, body: '{"schemaVersion":2,"architecture":"amd64","os":"linux","config":{}}' } });
const armOnlyList = registryAnswering({
  manifest: { status: 200, type: MEDIA.list, body: JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.list, manifests: [{ mediaType: MEDIA.manifest, digest: sha256('arm'), size: 2, platform: { os: 'linux', architecture: 'arm64' } }] }) },
});
const wrongDigest = registryAnswering({ manifest: { status: 200, type: MEDIA.manifest, headers: { 'Docker-Content-Digest': sha256('something else') }, body: JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: MEDIA.config, digest: sha256('{}'), size: 2 }, layers: [] }) } });
const htmlConfig = registryAnswering({
  manifest: { status: 200, type: MEDIA.manifest, body: JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: MEDIA.config, digest: sha256(HTML), size: HTML.length }, layers: [] }) },
  blob: { status: 200, type: 'text/html', body: HTML },
});
const htmlTags = registryAnswering({ tags: { status: 200, type: 'text/html', body: HTML } });
const tokenServiceDown: RegistryBehaviour = () => ({ status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="http://127.0.0.1:9/token",service="fake"' }, body: '{"errors":[{"code":"UNAUTHORIZED"}]}' });

export const deployCases: DeployCase[] = [
  { name: 'deploy to an unknown environment', args: ['deploy', '--env', 'nope'], exit: 2, error: /modeldeploy\.yaml:\d+:\d+: the project has no environment "nope"\. choose one of staging, production/ },
  { name: 'deploy to an environment name with odd characters', args: ['deploy', '--env', 'St@ging; rm -rf /'], exit: 2, error: /modeldeploy\.yaml:\d+:\d+: the project has no environment "St@ging; rm -rf \/"/ },
  { name: 'deploy to an empty environment name', args: ['deploy', '--env', ''], exit: 2, error: /which environment\?\. name one with --env: staging, production/ },
  { name: 'diff against a path as environment', args: ['diff', '--env', '../production'], exit: 2, error: /modeldeploy\.yaml:\d+:\d+: the project has no environment "\.\.\/production"/ },
  { name: 'history of an upper-case environment', args: ['history', '--env', 'STAGING'], exit: 2, error: /modeldeploy\.yaml:\d+:\d+: the project has no environment "STAGING"/ },
  { name: 'promote an environment to itself', args: ['promote', '--from', 'staging', '--to', 'staging'], exit: 2, error: /cannot promote staging to itself/ },
  { name: 'promote to an unknown environment', args: ['promote', '--to', 'prod'], exit: 2, error: /modeldeploy\.yaml:\d+:\d+: the project has no environment "prod"/ },
  { name: 'promote from an empty staging', args: ['promote'], exit: 2, error: /nothing is deployed to staging, so there is nothing to promote/ },
  { name: 'rollback with no history', args: ['rollback', '--env', 'staging'], exit: 2, error: /staging has no earlier version to roll back to\. see them with: modeldeploy history --env staging/ },
  { name: 'rollback to a version that never ran', args: ['rollback', '--env', 'staging', '--to', '9.9.9'], exit: 2, error: /staging's history has no version or digest "9\.9\.9"/ },
  { name: 'deploy a version that was never built', version: '3.0.0', args: ['deploy', '--env', 'staging'], exit: 2, error: /there is no image bad-deploy-\w+:3\.0\.0 to deploy\. build it first/ },
  { name: 'a registry written as a URL', registry: { literal: 'http://127.0.0.1:5000' }, args: ['deploy', '--env', 'staging'], exit: 2, error: /modeldeploy\.yaml:\d+:\d+: registry "http:\/\/127\.0\.0\.1:5000" must be host\[:port\]\[\/path\] without a scheme/ },
  { name: 'history from a registry that refuses connections', registry: 'refused', args: ['history', '--env', 'staging'], exit: 2, error: registryError('registry REGISTRY is not reachable: .*check that the registry runs') },
  { name: 'deploy to a registry that refuses connections', registry: 'refused', args: ['deploy', '--env', 'staging'], exit: 2, error: registryError('registry REGISTRY is not reachable') },
  { name: 'history from a registry that never answers', registry: 'silent', args: ['history', '--env', 'staging'], exit: 2, error: registryError('registry REGISTRY is not reachable: no answer within 30 s') },
  { name: 'history from a registry that answers HTML', registry: htmlEverywhere, args: ['history', '--env', 'staging'], exit: 2, error: registryError('the manifest of REGISTRY/bad-deploy-\\w+:staging is not JSON') },
  { name: 'deploy to a registry that answers invalid JSON', registry: invalidJson, args: ['deploy', '--env', 'staging'], exit: 2, error: registryError('the manifest of REGISTRY/bad-deploy-\\w+:staging is not JSON') },
  { name: 'deploy to a registry that fails with 500', registry: serverError, args: ['deploy', '--env', 'staging'], exit: 2, error: registryError('registry REGISTRY answered 500 to GET /v2/bad-deploy-\\w+/manifests/staging: HTTP 500\\. the registry failed') },
  { name: 'diff against a schema1 manifest', registry: schema1, args: ['diff', '--env', 'staging'], exit: 2, error: registryError('the manifest of REGISTRY/bad-deploy-\\w+:staging has schema version 1; only version 2') },
  { name: 'rollback on a config blob served as a manifest', registry: configAsManifest, args: ['rollback', '--env', 'staging'], exit: 2, error: registryError('the manifest of REGISTRY/bad-deploy-\\w+:staging is neither an image manifest nor an index') },
  { name: 'promote from a manifest list without amd64', registry: armOnlyList, args: ['promote'], exit: 2, error: registryError('REGISTRY/bad-deploy-\\w+:staging has no linux/amd64 image \\(it has linux/arm64\\)') },
  { name: 'history from a manifest that is not its digest', registry: wrongDigest, args: ['history', '--env', 'staging'], exit: 2, error: registryError('the manifest of REGISTRY/bad-deploy-\\w+:staging does not match its digest') },
  { name: 'diff against an image whose config is HTML', registry: htmlConfig, args: ['diff', '--env', 'staging'], exit: 2, error: registryError('the config sha256:\\w+ of REGISTRY/bad-deploy-\\w+:staging is not JSON') },
  { name: 'history from a registry whose tag list is HTML', registry: htmlTags, args: ['history', '--env', 'staging'], exit: 2, error: registryError('registry REGISTRY answered 200 to GET /v2/bad-deploy-\\w+/tags/list: HTTP 200') },
  { name: 'deploy to a registry whose token service is down', registry: tokenServiceDown, args: ['deploy', '--env', 'staging'], exit: 2, error: registryError('the token service http://127\\.0\\.0\\.1:9 of registry REGISTRY is not reachable') },
];
