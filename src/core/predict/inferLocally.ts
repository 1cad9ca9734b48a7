import { ModelHost, type ModelIdentity } from '../oip/modelHost';
import type { OipInferenceResponse } from '../oip/oipTypes';

/** What in-process inference made of one request: the response, or why the request was refused. */
export type LocalAnswer = { response: OipInferenceResponse } | { error: string };

/**
 * Answers requests in this process with the same protocol code the server runs, on onnxruntime loaded
 * here: the reference a served answer is checked against. Runs on the core worker thread.
 */
export async function inferLocally(file: string, identity: ModelIdentity, requests: unknown[]): Promise<LocalAnswer[]> {
  const host = await ModelHost.load(file, identity);
  try {
    const answers: LocalAnswer[] = [];
    for (const request of requests) {
      try {
        answers.push({ response: await host.infer(request) });
      } catch (error) {
        answers.push({ error: (error as Error).message });
      }
    }
    return answers;
  } finally {
    await host.close();
  }
}
