/**
 * Tags are compared and stored in one form: full-width letters and digits folded (NFKC), Latin case folded,
 * surrounding spaces trimmed and inner runs of whitespace collapsed. "ＰＰＰ 项目 " and "ppp 项目" are one tag.
 */
export function normaliseTag(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** Normalises, drops empties and duplicates, keeps first-seen order. */
export function normaliseTags(raw: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const tag of raw) {
    const normal = normaliseTag(tag);
    if (normal) seen.add(normal);
  }
  return [...seen];
}
