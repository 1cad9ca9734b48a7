/** One challenge of a WWW-Authenticate header: `Basic realm="x"` or `Bearer realm="...",service="...",scope="..."`. */
export interface AuthChallenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/**
 * The Bearer challenge if the header offers one, else the Basic one (a header may carry several).
 * Parameter values may be quoted and hold commas ("repository:a:pull,push") and escaped quotes.
 */
export function parseChallenge(header: string | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const found: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let at = 0;
  const skip = (chars: RegExp) => {
    while (at < header.length && chars.test(header[at])) at++;
  };
  while (at < header.length) {
    skip(/[\s,]/);
    const start = at;
    skip(/[\w.-]/);
    const name = header.slice(start, at);
    if (!name) break;
    skip(/\s/);
    if (header[at] !== '=') {
      const scheme = name.toLowerCase();
      current = scheme === 'basic' || scheme === 'bearer' ? { scheme, params: {} } : undefined;
      if (current) found.push(current);
      continue;
    }
    at++;
    skip(/\s/);
    let value = '';
    if (header[at] === '"') {
      for (at++; at < header.length && header[at] !== '"'; at++) value += header[at] === '\\' ? header[++at] ?? '' : header[at];
      at++;
    } else {
      const from = at;
      skip(/[^,\s]/);
      value = header.slice(from, at);
    }
    if (current) current.params[name.toLowerCase()] = value;
  }
  return found.find((c) => c.scheme === 'bearer') ?? found.find((c) => c.scheme === 'basic');
}

/** The scopes a challenge names (space-separated in one `scope` parameter). */
export function challengeScopes(challenge: AuthChallenge): string[] {
  return (challenge.params.scope ?? '').split(' ').filter(Boolean);
}

/**
 * The union of scopes, one entry per resource with its actions merged
 * ("repository:a:pull" + "repository:a:push" = "repository:a:pull,push"), in a stable order.
 */
export function mergeScopes(...lists: string[][]): string[] {
  const actions = new Map<string, Set<string>>();
  for (const scope of lists.flat()) {
    const cut = scope.lastIndexOf(':');
    const resource = cut > 0 ? scope.slice(0, cut) : scope;
    const set = actions.get(resource) ?? new Set<string>();
    for (const action of cut > 0 ? scope.slice(cut + 1).split(',') : []) if (action) set.add(action);
    actions.set(resource, set);
  }
  return [...actions.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([resource, set]) => (set.size ? `${resource}:${[...set].sort().join(',')}` : resource));
}

export function repositoryScope(repository: string, ...actions: ('pull' | 'push')[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}
