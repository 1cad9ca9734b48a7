import * as assert from 'node:assert/strict';
import { Writer } from 'protobufjs/minimal';
import { decodeBuildkitStatus } from '../../src/core/engine/buildkitStatus';

/** A moby.buildkit.v1.StatusResponse as the engine sends it, written field by field. */
function statusResponse(): string {
  const timestamp = () => Writer.create().uint32(8).int64(1_700_000_000).finish();
  const vertex = (digest: string, name: string, extra: (w: Writer) => void) => {
    const w = Writer.create().uint32(10).string(digest).uint32(26).string(name);
    extra(w);
    return w.finish();
  };
  const copy = vertex('sha256:aaa', '[2/3] COPY model/ /opt/modeldeploy/model/', (w) => w.uint32(32).bool(true).uint32(42).bytes(timestamp()).uint32(50).bytes(timestamp()));
  const run = vertex('sha256:bbb', '[3/3] RUN ["node", "-e", "process.exit(4)"]', (w) => w.uint32(42).bytes(timestamp()).uint32(58).string('exit code: 4'));
  const log = Writer.create().uint32(10).string('sha256:bbb').uint32(24).int64(2).uint32(34).bytes(Buffer.from('step broke\nsecond line\n')).finish();
  const status = Writer.create().uint32(10).bytes(copy).uint32(10).bytes(run).uint32(26).bytes(log).finish();
  return Buffer.from(status).toString('base64');
}

describe('BuildKit trace events', () => {
  it('decode into steps with their state and the output of RUN steps', () => {
    const status = decodeBuildkitStatus(statusResponse());
    assert.deepEqual(status.steps, [
      { digest: 'sha256:aaa', name: '[2/3] COPY model/ /opt/modeldeploy/model/', cached: true, started: true, completed: true },
      { digest: 'sha256:bbb', name: '[3/3] RUN ["node", "-e", "process.exit(4)"]', cached: false, started: true, completed: false, error: 'exit code: 4' },
    ]);
    assert.deepEqual(status.logs, ['step broke\nsecond line\n']);
  });

  it('an empty message has no steps and no logs', () => {
    assert.deepEqual(decodeBuildkitStatus(''), { steps: [], logs: [] });
  });
});
