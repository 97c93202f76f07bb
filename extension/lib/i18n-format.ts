/** Formats a catalogue message the way `browser.i18n.getMessage` does (no browser APIs: usable anywhere). */
export type Catalogue = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

/** getMessage's rules: `$NAME$` is the named placeholder's content, in which `$1`…`$9` are substitutions. */
export function formatMessage(catalogue: Catalogue, key: string, substitutions?: string | string[]): string {
  const entry = catalogue[key];
  if (!entry) return '';
  const args = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
  const fill = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => args[Number(n) - 1] ?? '');
  return entry.message
    .replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
      const placeholder = entry.placeholders?.[name.toLowerCase()];
      return placeholder ? fill(placeholder.content) : whole;
    })
    .replace(/\$\$/g, '$');
}
