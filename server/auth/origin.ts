/**
 * The Origin allow-list. Browsers do not apply CORS to WebSockets, so without this check any web page could
 * open a socket with a stolen ticket (cross-site WebSocket hijacking). Entries are exact origins or prefixes
 * ending in "*" ("chrome-extension://*"); a request without Origin comes from a non-browser client and is allowed.
 */
export type OriginCheck = (origin: string | undefined | null) => boolean;

export function originChecker(patterns: readonly string[]): OriginCheck {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let any = false;
  for (const raw of patterns) {
    const pattern = raw.trim().replace(/\/+$/, '');
    if (pattern === '*') any = true;
    else if (pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1).toLowerCase());
    else if (pattern) exact.add(pattern.toLowerCase());
  }
  return (origin) => {
    if (origin === undefined || origin === null || origin === '') return true;
    if (any) return true;
    const value = origin.toLowerCase();
    // "null" is what sandboxed frames and file: pages send: never a trusted extension.
    if (value === 'null') return false;
    return exact.has(value) || prefixes.some((prefix) => value.startsWith(prefix) && value.length > prefix.length);
  };
}
