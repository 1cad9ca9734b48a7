import type Docker from 'dockerode';
import { demuxLogs } from '../../../src/core/container/logFrames';

/**
 * What is missing from a container's hardening, as the engine reports it: a non-root user, a read-only
 * root filesystem, every capability dropped and none added, no-new-privileges, ports published on
 * loopback only. Empty when it is all there.
 */
export function hardeningGaps(info: Docker.ContainerInspectInfo): string[] {
  const gaps: string[] = [];
  const user = info.Config.User ?? '';
  if (!user || /^(root|0)(:|$)/.test(user)) gaps.push(`Config.User is ${JSON.stringify(user)}`);
  const host = info.HostConfig;
  if (host.ReadonlyRootfs !== true) gaps.push('HostConfig.ReadonlyRootfs is not true');
  if (!(host.CapDrop ?? []).includes('ALL')) gaps.push(`HostConfig.CapDrop is ${JSON.stringify(host.CapDrop)}, without ALL`);
  if ((host.CapAdd ?? []).length) gaps.push(`HostConfig.CapAdd is ${JSON.stringify(host.CapAdd)}`);
  if (!((host.SecurityOpt ?? []) as string[]).some((o) => /^no-new-privileges(:true|=true)?$/.test(o))) gaps.push(`HostConfig.SecurityOpt is ${JSON.stringify(host.SecurityOpt)}, without no-new-privileges`);
  if (host.Privileged) gaps.push('HostConfig.Privileged is true');
  for (const [port, bindings] of Object.entries(host.PortBindings ?? {})) {
    for (const binding of (bindings as { HostIp?: string }[] | null) ?? []) if (binding.HostIp !== '127.0.0.1') gaps.push(`port ${port} is published on ${JSON.stringify(binding.HostIp)}, not 127.0.0.1`);
  }
  return gaps;
}

/** The ports a container publishes, as "HOSTIP:PORT->PORT" for the figure ("any" where the engine picks the host port). */
export function publishedPorts(info: Docker.ContainerInspectInfo): string[] {
  return Object.entries(info.HostConfig.PortBindings ?? {}).flatMap(([port, bindings]) => ((bindings as { HostIp?: string; HostPort?: string }[] | null) ?? []).map((b) => `${b.HostIp}:${b.HostPort || 'any'}->${port}`));
}

/** What `id -u` prints inside the running container, or undefined when the image has no `id` to run. */
export async function uidInside(container: Docker.Container): Promise<string | undefined> {
  const exec = await container.exec({ Cmd: ['id', '-u'], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) return undefined;
  return demuxLogs(Buffer.concat(chunks))
    .filter((f) => f.stream === 'stdout')
    .map((f) => f.text)
    .join('')
    .trim();
}

/** A container's output, whole. */
export async function containerOutput(container: Docker.Container): Promise<string> {
  const buffer = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return demuxLogs(buffer)
    .map((f) => f.text)
    .join('');
}
