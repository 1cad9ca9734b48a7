import { Reader } from 'protobufjs/minimal';

/** The ModelProto fields around the graph: who made the model and which operator sets it needs. */
export interface OnnxHeader {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: { domain: string; version: number }[];
  metadata: Record<string, string>;
  hasGraph: boolean;
}

// ModelProto field numbers (onnx.proto3).
const IR_VERSION = 1;
const PRODUCER_NAME = 2;
const PRODUCER_VERSION = 3;
const DOMAIN = 4;
const MODEL_VERSION = 5;
const DOC_STRING = 6;
const GRAPH = 7;
const OPSET_IMPORT = 8;
const METADATA_PROPS = 14;
const LENGTH_DELIMITED = 2;
const VARINT = 0;

/**
 * Reads the top level of an ONNX ModelProto, skipping the graph without decoding it, so a model of
 * gigabytes costs no more than its header. Throws (a plain Error) when the bytes are not a ModelProto.
 */
export function readOnnxHeader(bytes: Uint8Array): OnnxHeader {
  const header: OnnxHeader = { irVersion: 0, producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '', opsets: [], metadata: {}, hasGraph: false };
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new Error('field number 0');
    const expect = (type: number) => {
      if (wire !== type) throw new Error(`field ${field} has wire type ${wire}`);
    };
    switch (field) {
      case IR_VERSION:
        expect(VARINT);
        header.irVersion = reader.uint32();
        break;
      case PRODUCER_NAME:
        expect(LENGTH_DELIMITED);
        header.producerName = reader.string();
        break;
      case PRODUCER_VERSION:
        expect(LENGTH_DELIMITED);
        header.producerVersion = reader.string();
        break;
      case DOMAIN:
        expect(LENGTH_DELIMITED);
        header.domain = reader.string();
        break;
      case MODEL_VERSION:
        expect(VARINT);
        header.modelVersion = reader.uint32();
        break;
      case DOC_STRING:
        expect(LENGTH_DELIMITED);
        header.docString = reader.string();
        break;
      case GRAPH:
        expect(LENGTH_DELIMITED);
        header.hasGraph = true;
        reader.skipType(wire);
        break;
      case OPSET_IMPORT:
        expect(LENGTH_DELIMITED);
        header.opsets.push(readOpset(reader.bytes()));
        break;
      case METADATA_PROPS: {
        expect(LENGTH_DELIMITED);
        const [key, value] = readStringPair(reader.bytes());
        header.metadata[key] = value;
        break;
      }
      default:
        reader.skipType(wire);
    }
  }
  if (!header.hasGraph || header.irVersion === 0) throw new Error('no graph or IR version');
  return header;
}

function readOpset(bytes: Uint8Array): { domain: string; version: number } {
  const reader = Reader.create(bytes);
  const opset = { domain: '', version: 0 };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === LENGTH_DELIMITED) opset.domain = reader.string();
    else if (tag >>> 3 === 2 && (tag & 7) === VARINT) opset.version = reader.uint32();
    else reader.skipType(tag & 7);
  }
  return opset;
}

function readStringPair(bytes: Uint8Array): [string, string] {
  const reader = Reader.create(bytes);
  let key = '';
  let value = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === LENGTH_DELIMITED) key = reader.string();
    else if (tag >>> 3 === 2 && (tag & 7) === LENGTH_DELIMITED) value = reader.string();
    else reader.skipType(tag & 7);
  }
  return [key, value];
}
