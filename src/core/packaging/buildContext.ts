import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';

/** One file of the build context: read from `source`, or given as `content`. */
export type ContextEntry = { archivePath: string; source: string } | { archivePath: string; content: string | Buffer };

// Fixed owner, mode and time: the same files give the same archive, so the engine's layer cache hits.
const HEADER = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date('2000-01-01T00:00:00Z') };

/**
 * The build context as a tar stream made on the fly: nothing is written to disk, and large files
 * (onnxruntime's native library, the model) are streamed rather than held in memory.
 */
export function packBuildContext(entries: ContextEntry[]): Readable {
  const archive = pack();
  void (async () => {
    for (const entry of entries) {
      if ('content' in entry) {
        await new Promise<void>((resolve, reject) => archive.entry({ ...HEADER, name: entry.archivePath }, entry.content, (error) => (error ? reject(error) : resolve())));
      } else {
        const { size } = await fs.promises.stat(entry.source);
        await pipeline(fs.createReadStream(entry.source), archive.entry({ ...HEADER, name: entry.archivePath, size }));
      }
    }
    archive.finalize();
  })().catch((error: Error) => archive.destroy(error));
  // A Node stream, as the engine client pipes it into its request.
  return Readable.from(archive);
}
