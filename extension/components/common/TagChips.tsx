/** An annotation's tags as read-only chips (TagField edits them); `render` words a tag (e.g. with search marks). */
import type { ReactNode } from 'react';

export function TagChips({ tags, render }: { tags: readonly string[]; render?: (tag: string) => ReactNode }) {
  return tags.map((tag) => (
    <span key={tag} className="pz-chip">
      {render ? render(tag) : tag}
    </span>
  ));
}
