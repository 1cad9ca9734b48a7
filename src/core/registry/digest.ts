import { createHash } from 'node:crypto';
import { UserError } from '../errors';

const DIGEST = /^(sha256|sha512):([a-f0-9]{64,128})$/;

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

/** "sha256:<hex>" of the bytes (or with the algorithm of `like`, a digest to compare with). */
export function digestOf(bytes: Buffer, like?: string): string {
  const algorithm = like?.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws when bytes do not hash to the digest that names them: a registry or proxy altered them. */
export function verifyDigest(expected: string, bytes: Buffer, what: string): string {
  const actual = digestOf(bytes, expected);
  if (actual !== expected) {
    throw new UserError(`${what} does not match its digest: expected ${expected}, got ${actual}`, undefined, 'the registry or a proxy between altered the content; try again, and tell the registry\'s administrator if it persists');
  }
  return actual;
}

const TAG = /^[\w][\w.-]{0,127}$/;

/** A tag or digest fit for a manifest URL; anything else would change the URL's meaning. */
export function checkReference(reference: string): string {
  if (TAG.test(reference) || isDigest(reference)) return reference;
  throw new UserError(`"${reference}" is neither a tag nor a digest`, undefined, 'a tag is up to 128 letters, digits, _ . and - (not starting with . or -)');
}
