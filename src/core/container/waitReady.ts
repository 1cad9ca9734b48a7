import { httpRequest } from '../http/httpRequest';

/** The status of one GET, or 0 when there is no answer within `timeoutMs`. */
export async function probe(url: string, timeoutMs: number): Promise<number> {
  try {
    return (await httpRequest(url, { timeoutMs })).status;
  } catch {
    return 0;
  }
}
