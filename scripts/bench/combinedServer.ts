// Reference C of the MNIST serving rows: one process doing reference A's HTTP work and reference B's model
// work and nothing else. Each POST body is read whole; the requests that arrived meanwhile are answered
// together after one onnxruntime run over as many ready-made rows (at most MAX_ROWS, the runtime's batch cap,
// as the runtime's batcher forms its batches: what queued while the last run was busy), then each gets
// the same fixed response. No protocol work: no parsing, checking, copying into tensors or encoding.
// GET answers the mean rows per run so far, for the bench's note.
import * as http from 'node:http';
import { elementCount } from '../../src/core/model/elementCount';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { DEFAULT_MAX_BATCH_ROWS as MAX_ROWS } from '../../src/runtime/runtimeConfig';
import { readyMadeRows, serverSession } from './serverSession';

async function main(): Promise<void> {
  const [model, inputName, rowShapeText, port, responseBase64, contentType] = process.argv.slice(2);
  const rowShape = JSON.parse(rowShapeText) as number[];
  const rowSize = elementCount(rowShape);
  const response = Buffer.from(responseBase64, 'base64');
  const ort = onnxRuntime();
  // The session the server makes, with its settings, on the rows inferenceRate (reference B) runs.
  const { session, fetches } = await serverSession(model);
  const values = readyMadeRows(MAX_ROWS, rowSize);
  const batches = Array.from({ length: MAX_ROWS + 1 }, (_, rows) => new ort.Tensor('float32', values.subarray(0, rows * rowSize), [rows, ...rowShape]));
  let queue: http.ServerResponse[] = [];
  let scheduled = false;
  let runs = 0;
  let rows = 0;
  const flush = () => {
    scheduled = false;
    const answering = queue;
    queue = [];
    for (let start = 0; start < answering.length; start += MAX_ROWS) {
      const size = Math.min(MAX_ROWS, answering.length - start);
      session.run({ [inputName]: batches[size] }, fetches);
      runs++;
      rows += size;
    }
    for (const res of answering) {
      res.writeHead(200, { 'content-type': contentType, 'content-length': response.length });
      res.end(response);
    }
  };
  http
    .createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        Buffer.concat(chunks);
        if (req.method !== 'POST') {
          res.end(JSON.stringify({ meanBatch: runs ? rows / runs : 0 }));
          return;
        }
        queue.push(res);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    })
    .listen(Number(port), '127.0.0.1');
}

void main();
