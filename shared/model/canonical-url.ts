/**
 * One notice, one document: the same page reached over http or https, with or without "www.", a trailing
 * slash, an index file, tracking parameters, a fragment or a print view has one canonical URL and one key.
 * The canonical form is an identity, not a link: keep the URL the user actually visited for links.
 */
import { hashText } from './hash.ts';

const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  'spm',
  'scm',
  'from',
  'ref',
  'referer',
  'share_token',
  'shareid',
  'share_from',
  'isappinstalled',
  'scene',
  'clicktime',
  'enterid',
  'sharer_shareid',
  'sharer_sharetime',
  'wfr',
  'wxfrom',
  'timestamp',
  '_t',
  'nsukey',
  'jsessionid',
  'phpsessid',
]);
const TRACKING_PREFIXES = ['utm_', 'hmsr', 'hmpl', 'hmcu', 'hmkw', 'hmci', 'pk_', 'mtm_'];
/** Query parameters that switch a page to its print view. */
const PRINT_PARAMS: Record<string, RegExp> = {
  print: /.*/,
  printable: /.*/,
  view: /^print$/i,
  output: /^print$/i,
  format: /^print$/i,
  mode: /^print$/i,
  type: /^print$/i,
};
const INDEX_FILE = /\/(index|default)\.(s?html?|php|aspx?|jsp)$/i;
/** "/t20230329_1089222_print.shtml" and "/print/t2023...shtml" are print views of "/t20230329_1089222.shtml". */
const PRINT_SUFFIX = /[_-]print(\.[a-z]+)$/i;
const PRINT_SEGMENT = /\/print(?=\/)/i;

function isTracking(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((p) => lower.startsWith(p));
}

function isPrintSwitch(name: string, value: string): boolean {
  const rule = PRINT_PARAMS[name.toLowerCase()];
  return rule?.test(value) ?? false;
}

/**
 * Returns "host/path?query" without scheme, "www.", default port, fragment, tracking or print parameters;
 * query parameters sorted. Throws a readable error for anything but an absolute http(s) URL.
 */
export function canonicalUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`Not a URL: "${input.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Only http and https pages can be annotated, not "${url.protocol}"`);
  }
  const host = url.hostname
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/\.$/, '');
  const port = url.port && url.port !== '80' && url.port !== '443' ? `:${url.port}` : '';

  let path = decodeSafely(url.pathname)
    .replace(PRINT_SEGMENT, '')
    .replace(PRINT_SUFFIX, '$1')
    .replace(INDEX_FILE, '/')
    .replace(/\/{2,}/g, '/');
  if (path.length > 1) path = path.replace(/\/+$/, '');
  if (path === '') path = '/';

  // forEach and append, not the iterators: in a Firefox content script URLSearchParams' iterators are not iterable.
  const params: [string, string][] = [];
  url.searchParams.forEach((value, name) => {
    if (!isTracking(name) && !isPrintSwitch(name, value)) params.push([name, value]);
  });
  params.sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)));
  const kept = new URLSearchParams();
  for (const [name, value] of params) kept.append(name, value);
  const query = params.length ? `?${kept.toString()}` : '';
  return `${host}${port}${path}${query}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decodeSafely(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** The document key: a URL-safe hash of the canonical URL (the second part of a room id). */
export function documentKeyFor(url: string): string {
  return hashText(canonicalUrl(url));
}

/** Whether the text of a page changed since it was annotated: compare content hashes of normalised text. */
export function contentHashOf(normalisedText: string): string {
  return hashText(normalisedText, 16);
}
