import { UserError } from '../errors';

/** A model's `/infer` on the server at `serverUrl`, which may end in a slash or not. */
export function inferenceEndpoint(serverUrl: string, modelName: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new UserError(`the server URL ${withoutUserInfo(serverUrl)} is not a URL`, undefined, 'give it as http://host:port');
  }
  if (url.protocol !== 'http:') throw new UserError(`the server URL ${withoutUserInfo(serverUrl)} is not an http:// URL`, undefined, 'give it as http://host:port');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(modelName)}/infer`;
  return url.toString();
}

/** The server URL as messages show it: no trailing slash, and no credentials. */
export function displayServerUrl(serverUrl: string): string {
  return withoutUserInfo(serverUrl.replace(/\/+$/, ''));
}

/**
 * `text` with the user-info of any URL in it (`user:password@`) shown as `***@`: credentials given in a
 * URL must not end up in terminals, logs or CI output. Works on URLs that do not parse, too.
 */
export function withoutUserInfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1***@');
}
