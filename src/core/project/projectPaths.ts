import * as fs from 'node:fs';
import * as path from 'node:path';

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Resolves a path written in the config against the project folder and refuses anything that lands
 * outside it, directly (`../x`, `/etc/x`) or through a symbolic link: a project must be self-contained so
 * that what is packaged and shared is exactly what the folder holds.
 */
export function resolveInsideProject(projectDir: string, written: string): PathCheck {
  if (path.isAbsolute(written)) return { ok: false, reason: 'must be a path relative to the project folder, not an absolute path' };
  const resolved = path.resolve(projectDir, written);
  if (!isInside(projectDir, resolved)) return { ok: false, reason: 'points outside the project folder' };
  if (fs.existsSync(resolved)) {
    const real = fs.realpathSync(resolved);
    if (!isInside(fs.realpathSync(projectDir), real)) return { ok: false, reason: `is a link to ${real}, outside the project folder` };
  }
  return { ok: true, path: resolved };
}

export function isInside(dir: string, candidate: string): boolean {
  const relative = path.relative(dir, candidate);
  // `..x` is a name inside the folder; only `..` as a whole segment climbs out.
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
