import { expectWire, LENGTH_DELIMITED, readFields, VARINT } from './protoFields';

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
export const GRAPH = 7;
const OPSET_IMPORT = 8;
const METADATA_PROPS = 14;

/**
 * Reads the top level of an ONNX ModelProto, skipping the graph without decoding it, so a model of
 * gigabytes costs no more than its header. Throws (a plain Error) when the bytes are not a ModelProto.
 */
export function readOnnxHeader(bytes: Uint8Array): OnnxHeader {
  const header: OnnxHeader = { irVersion: 0, producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '', opsets: [], metadata: {}, hasGraph: false };
  readFields(bytes, (field, wire, reader) => {
    switch (field) {
      case IR_VERSION:
        expectWire(field, wire, VARINT);
        header.irVersion = reader.uint32();
        return true;
      case PRODUCER_NAME:
        expectWire(field, wire, LENGTH_DELIMITED);
        header.producerName = reader.string();
        return true;
      case PRODUCER_VERSION:
        expectWire(field, wire, LENGTH_DELIMITED);
        header.producerVersion = reader.string();
        return true;
      case DOMAIN:
        expectWire(field, wire, LENGTH_DELIMITED);
        header.domain = reader.string();
        return true;
      case MODEL_VERSION:
        expectWire(field, wire, VARINT);
        header.modelVersion = reader.uint32();
        return true;
      case DOC_STRING:
        expectWire(field, wire, LENGTH_DELIMITED);
        header.docString = reader.string();
        return true;
      case GRAPH:
        expectWire(field, wire, LENGTH_DELIMITED);
        header.hasGraph = true;
        return false;
      case OPSET_IMPORT:
        expectWire(field, wire, LENGTH_DELIMITED);
        header.opsets.push(readOpset(reader.bytes()));
        return true;
      case METADATA_PROPS: {
        expectWire(field, wire, LENGTH_DELIMITED);
        const [key, value] = readStringPair(reader.bytes());
        header.metadata[key] = value;
        return true;
      }
      default:
        return false;
    }
  });
  if (!header.hasGraph || header.irVersion === 0) throw new Error('no graph or IR version');
  return header;
}

function readOpset(bytes: Uint8Array): { domain: string; version: number } {
  const opset = { domain: '', version: 0 };
  readFields(bytes, (field, wire, reader) => {
    if (field === 1 && wire === LENGTH_DELIMITED) opset.domain = reader.string();
    else if (field === 2 && wire === VARINT) opset.version = reader.uint32();
    else return false;
    return true;
  });
  return opset;
}

export function readStringPair(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  readFields(bytes, (field, wire, reader) => {
    if (field === 1 && wire === LENGTH_DELIMITED) key = reader.string();
    else if (field === 2 && wire === LENGTH_DELIMITED) value = reader.string();
    else return false;
    return true;
  });
  return [key, value];
}
