import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { followProgress } from '../../../src/core/engine/progressStream';

/**
 * A second Docker daemon of this test's own, so that it can be killed and restarted without touching the
 * engine everyone else's tests run on: its own data root, exec root, socket and bridge. Two daemons cannot
 * share docker0, and `--bridge=none` would delete the host's docker0, so it gets a bridge of its own; it
 * leaves the host's firewall and sysctls alone (no iptables, no masquerading, no ip_forward change).
 */
export interface PrivateEngine {
  /** `unix:///…/docker.sock`, for DOCKER_HOST. */
  host: string;
  docker: Docker;
  /** Stops the daemon: SIGTERM is a restart's stop, SIGKILL a crash. Waits until it is gone. */
  stop: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>;
  /** Starts it again on the same data root and waits until it answers. */
  start: () => Promise<void>;
  /** Stops it and removes everything it made: processes, mounts, the bridge, its folder. */
  remove: () => Promise<void>;
  log: () => string;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

/** The processes a folder's daemon left: its containerd and build steps (by command line or root under the folder). */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const root = fs.readlinkSync(`/proc/${pid}/root`);
      if (cmdline.includes(dir) || root.startsWith(dir)) pids.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** A /24 that no route of the host overlaps, outside docker's default pools (172.17-31, 192.168). */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  if (/^(10\.0\.0\.0\/8|10\.254\.0\.0\/16) /m.test(routes)) throw new Error('10.254.0.0/16 is routed here: the private engine needs a subnet of its own');
  for (let third = 200; third < 255; third++) {
    const prefix = `10.254.${third}.`;
    if (!routes.includes(prefix)) return `${prefix}1/24`;
  }
  throw new Error('no free 10.254.x.0/24 for the private engine\'s bridge');
}

async function answers(docker: Docker): Promise<boolean> {
  return docker.ping().then(
    () => true,
    () => false,
  );
}

export async function startPrivateEngine(): Promise<PrivateEngine> {
  // Short: the daemon's and containerd's sockets live under it and a socket path must stay under 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdeng-'));
  const bridge = `mdt${randomBytes(3).toString('hex')}`;
  const socket = path.join(dir, 'docker.sock');
  const logFile = path.join(dir, 'dockerd.log');
  const configFile = path.join(dir, 'daemon.json');
  // Its own (empty) config, so that a host /etc/docker/daemon.json cannot change what this daemon does.
  fs.writeFileSync(configFile, '{}\n');
  execFileSync('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', freeSubnet(), 'dev', bridge]);
  execFileSync('ip', ['link', 'set', bridge, 'up']);
  const docker = new Docker({ socketPath: socket });
  let daemon: ChildProcess | undefined;

  const start = async () => {
    const log = fs.openSync(logFile, 'a');
    const args = ['--config-file', configFile, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'), '-H', `unix://${socket}`, `--bridge=${bridge}`, '--iptables=false', '--ip-masq=false', '--ip-forward=false'];
    const child = spawn('dockerd', args, { detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    daemon = child;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answers(docker))) {
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
      if (gone || Date.now() > deadline) throw new Error(`the private dockerd did not answer on ${socket}${gone ? ' (it exited)' : ''}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const child = daemon;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const containerdPidFile = path.join(dir, 'exec', 'containerd', 'containerd.pid');
    const containerd = fs.existsSync(containerdPidFile) ? Number(fs.readFileSync(containerdPidFile, 'utf8')) : undefined;
    process.kill(child.pid, signal);
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    if (signal === 'SIGKILL') {
      // A daemon killed outright leaves its build steps running (BuildKit's runc children outlive it);
      // they are ended as the host's restart would end them.
      for (const pid of processesUnder(path.join(dir, 'data'))) killQuietly(pid);
      // Its containerd dies with it, but the daemon started next takes a containerd whose pid still
      // exists for a live one: wait until init has reaped it, as a host's init does at once.
      if (containerd) await waitGone(containerd);
    }
  };

  const remove = async () => {
    await stop('SIGTERM');
    for (const pid of processesUnder(dir)) killQuietly(pid);
    // Mounts the daemon left (its data root, a killed build step's rootfs), the deepest first.
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1]).filter((m) => m?.startsWith(dir)).sort().reverse();
    for (const mount of mounts) execFileSync('umount', ['-l', mount]);
    execFileSync('ip', ['link', 'del', bridge]);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await remove();
    throw error;
  }
  return { host: `unix://${socket}`, docker, stop, start, remove, log: () => fs.readFileSync(logFile, 'utf8') };
}

async function waitGone(pid: number): Promise<void> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (fs.existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} (the private engine's containerd) is still there after ${STOP_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Copies an image from one engine into another (save, then load), as `docker save | docker load` would. */
export async function copyImage(from: Docker, to: Docker, reference: string): Promise<void> {
  const tar = await from.getImage(reference).get();
  const stream = (await to.loadImage(tar)) as unknown as NodeJS.ReadableStream & { destroy(): void };
  await followProgress(stream, { what: `loading ${reference}`, idleTimeoutMs: 120_000 });
}
