import { ProtoReader } from '../protobuf/protoReader';

/** One build step as BuildKit reports it (moby.buildkit.v1.Vertex, the fields shown to people). */
export interface BuildStep {
  digest: string;
  name: string;
  cached: boolean;
  started: boolean;
  completed: boolean;
  error?: string;
}

export interface BuildStatus {
  steps: BuildStep[];
  /** Output of RUN steps, as written. */
  logs: string[];
}

function decodeVertex(reader: ProtoReader, end: number): BuildStep {
  const step: BuildStep = { digest: '', name: '', cached: false, started: false, completed: false };
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        step.digest = reader.string();
        break;
      case 3:
        step.name = reader.string();
        break;
      case 4:
        step.cached = reader.bool();
        break;
      case 5:
        reader.skipType(tag & 7);
        step.started = true;
        break;
      case 6:
        reader.skipType(tag & 7);
        step.completed = true;
        break;
      case 7:
        step.error = reader.string() || undefined;
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  return step;
}

function decodeLog(reader: ProtoReader, end: number): string {
  let text = '';
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 4) text = Buffer.from(reader.bytes()).toString('utf8');
    else reader.skipType(tag & 7);
  }
  return text;
}

/**
 * Decodes the `aux` of a `moby.buildkit.trace` event (a base64 StatusResponse) into its steps and
 * logs: what the build is doing, for the progress view and the log.
 */
export function decodeBuildkitStatus(base64: string): BuildStatus {
  const reader = new ProtoReader(Buffer.from(base64, 'base64'));
  const status: BuildStatus = { steps: [], logs: [] };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 || field === 3) {
      const end = reader.uint32() + reader.pos;
      if (field === 1) status.steps.push(decodeVertex(reader, end));
      else status.logs.push(decodeLog(reader, end));
    } else reader.skipType(tag & 7);
  }
  return status;
}
