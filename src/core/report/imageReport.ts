import { LABEL } from '../packaging/imageLabels';
import type { BuildResult } from '../packaging/buildImage';
import { formatBytes } from './textTable';

/** The text `modeldeploy build` prints when the image is built. */
export function formatBuildResult(result: BuildResult, baseImage: string): string {
  const metrics = result.labels[LABEL.metrics] ? Object.entries(JSON.parse(result.labels[LABEL.metrics]) as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(4)}`) : [];
  const lines = [
    `built ${result.image} (${result.id.replace(/^sha256:/, '').slice(0, 12)})`,
    `size        ${formatBytes(result.sizeBytes)}: ${formatBytes(result.sizeBytes - result.baseSizeBytes)} over the base ${baseImage} (${formatBytes(result.baseSizeBytes)})`,
    `Dockerfile  ${result.dockerfile === 'project' ? "the project's own" : 'generated'}`,
    `model       sha256 ${result.labels[LABEL.modelSha256]}`,
    `metrics     ${metrics.length ? metrics.join(', ') : 'none'}`,
  ];
  return [...lines, ...result.notes.map((n) => `note: ${n}`)].join('\n');
}
