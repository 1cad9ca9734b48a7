import { readStringPair } from './onnxHeader';
import { GRAPH_INITIALIZER, readGraph, TENSOR_NAME } from './onnxSignature';
import { LENGTH_DELIMITED, readFields, VARINT } from './protoFields';

/** An initializer whose values are stored in another file, at `location` relative to the model. */
export interface ExternalTensor {
  tensor: string;
  location: string;
}

// TensorProto field numbers (onnx.proto3) and TensorProto.DataLocation.EXTERNAL.
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const EXTERNAL = 1;

/**
 * The graph's initializers stored as external data, read from the ModelProto's bytes without loading
 * onnxruntime. Throws (a plain Error) when the bytes are not a ModelProto.
 */
export function readExternalTensors(bytes: Uint8Array): ExternalTensor[] {
  const found: ExternalTensor[] = [];
  readFields(readGraph(bytes), (field, wire, reader) => {
    if (field !== GRAPH_INITIALIZER || wire !== LENGTH_DELIMITED) return false;
    const external = readExternalTensor(reader.bytes());
    if (external) found.push(external);
    return true;
  });
  return found;
}

function readExternalTensor(bytes: Uint8Array): ExternalTensor | undefined {
  let tensor = '';
  let location: string | undefined;
  let dataLocation = 0;
  readFields(bytes, (field, wire, reader) => {
    if (field === TENSOR_NAME && wire === LENGTH_DELIMITED) tensor = reader.string();
    else if (field === TENSOR_DATA_LOCATION && wire === VARINT) dataLocation = reader.int32();
    else if (field === TENSOR_EXTERNAL_DATA && wire === LENGTH_DELIMITED) {
      const [key, value] = readStringPair(reader.bytes());
      if (key === 'location') location = value;
    } else return false;
    return true;
  });
  // A location counts even without the EXTERNAL flag: it names the file a reader would open.
  if (dataLocation !== EXTERNAL && location === undefined) return undefined;
  return { tensor, location: location ?? '' };
}
