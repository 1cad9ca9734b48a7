/** One generated request to the infer endpoint: which family and mutation made it, its headers and body. */
export interface FuzzCase {
  family: 'valid' | 'structural' | 'binary' | 'bytes';
  /** What was done to a valid request to make this one ("valid" for none). */
  mutation: string;
  headers: Record<string, string>;
  body: Buffer;
}

export const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** A case with a JSON body. */
export function jsonCase(family: FuzzCase['family'], mutation: string, value: unknown): FuzzCase {
  return { family, mutation, headers: JSON_HEADERS, body: Buffer.from(JSON.stringify(value)) };
}

/** The case as text that replays it with curl: headers and the body (base64 when it is not UTF-8). */
export function describeCase(c: FuzzCase, maxBody = 2000): string {
  const text = c.body.toString('utf8');
  const printable = Buffer.from(text, 'utf8').equals(c.body) && !/[\0-\x08\x0e-\x1f]/.test(text);
  const body = printable ? JSON.stringify(text.slice(0, maxBody)) : `base64:${c.body.toString('base64').slice(0, maxBody)}`;
  return `${c.family}/${c.mutation} headers=${JSON.stringify(c.headers)} body(${c.body.length} bytes)=${body}`;
}
