import Docker from 'dockerode';
import { runEngineBuild } from '../../src/core/packaging/engineBuild';
import { twoLineContext } from './measure';

/**
 * The rebuild benchmark's reference as a command of its own: start, connect to the engine and build a
 * two-line Dockerfile (FROM the runtime image, COPY the model), printing the build's output. It is
 * bundled with the CLI's own options, so the two load the same engine client the same way.
 * `node twoLineBuild.js RUNTIME_IMAGE MODEL TAG`
 */
async function main(): Promise<void> {
  const [runtimeImage, model, tag] = process.argv.slice(2);
  await runEngineBuild(new Docker(), twoLineContext(runtimeImage, model), {
    tag,
    platform: 'linux/amd64',
    onOutput: (line) => process.stdout.write(`${line}\n`),
    idleTimeoutMs: 60_000,
  });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
