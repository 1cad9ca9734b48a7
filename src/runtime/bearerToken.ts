import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A check of `Authorization: Bearer <token>` headers against one token, in constant time. Both sides are
 * hashed first so the compared buffers always have the same length: the time taken says nothing about the
 * token, not even how long it is.
 */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = sha256(token);
  return (authorization) => {
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    const matches = timingSafeEqual(sha256(presented ?? ''), expected);
    return presented !== undefined && matches;
  };
}
