/**
 * Tags as chips plus a combobox: suggestions from the team's vocabulary and recent tags, filtered as the user
 * types (width- and case-folded), picked with the arrow keys and Enter. Typed tags are normalised on entry.
 */
import { useId, useMemo, useState, type Ref } from 'react';
import { normaliseTag, normaliseTags } from '../../../shared/model/tags.ts';
import { t } from '../../lib/i18n.ts';
import type { TagUsage } from '../../lib/messages.ts';

const MAX_SUGGESTIONS = 8;
const SEPARATORS = /[,，;；、]/u;

/** The tag and the names the team renamed into it: typing an old name offers the tag it became. */
const namesOf = (entry: TagUsage) => [entry.tag, ...(entry.aliases ?? [])];

export function suggestTags(
  vocabulary: readonly TagUsage[],
  draft: string,
  chosen: readonly string[],
  limit = MAX_SUGGESTIONS,
): TagUsage[] {
  const needle = normaliseTag(draft);
  const taken = new Set(chosen);
  const candidates = vocabulary.filter((entry) => !taken.has(entry.tag));
  if (!needle) return [...candidates].sort((a, b) => b.usedAt - a.usedAt).slice(0, limit); // recent tags first
  const starts = candidates.filter((entry) => namesOf(entry).some((name) => name.startsWith(needle)));
  const contains = candidates.filter(
    (entry) => !starts.includes(entry) && namesOf(entry).some((name) => name.includes(needle)),
  );
  return [...starts.sort((a, b) => b.count - a.count), ...contains.sort((a, b) => b.count - a.count)].slice(0, limit);
}

/** Typed tags as the team reads them: an old name (renamed by the team) becomes the tag it was renamed to. */
export function currentNames(vocabulary: readonly TagUsage[], typed: readonly string[]): string[] {
  const renamed = new Map<string, string>();
  for (const entry of vocabulary) for (const alias of entry.aliases ?? []) renamed.set(alias, entry.tag);
  return normaliseTags(typed).map((tag) => renamed.get(tag) ?? tag);
}

export function TagField({
  tags,
  onChange,
  vocabulary,
  onSubmitEmpty,
  inputRef,
  label = t('toolbar_tags'),
}: {
  tags: string[];
  onChange: (tags: string[]) => void;
  vocabulary: TagUsage[];
  /** Enter on an empty field (the toolbar saves the highlight). */
  onSubmitEmpty?: () => void;
  inputRef?: Ref<HTMLInputElement>;
  label?: string;
}) {
  const [draft, setDraft] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const suggestions = useMemo(() => suggestTags(vocabulary, draft, tags), [vocabulary, draft, tags]);
  const showList = open && suggestions.length > 0;

  const add = (raw: string[]) => {
    onChange(normaliseTags([...tags, ...currentNames(vocabulary, raw)]));
    setDraft('');
    setActive(-1);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'ArrowDown' && suggestions.length) {
      e.preventDefault();
      setOpen(true);
      setActive((active + 1) % suggestions.length);
    } else if (e.key === 'ArrowUp' && suggestions.length) {
      e.preventDefault();
      setOpen(true);
      setActive((active - 1 + suggestions.length) % suggestions.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (showList && active >= 0) add([suggestions[active]!.tag]);
      else if (draft.trim()) add(draft.split(SEPARATORS));
      else onSubmitEmpty?.();
    } else if (e.key === 'Escape' && showList) {
      e.stopPropagation();
      setOpen(false);
    } else if (e.key === 'Backspace' && !draft && tags.length) {
      onChange(tags.slice(0, -1));
    }
  };

  return (
    <div className="pz-tagfield">
      {tags.map((tag) => (
        <span key={tag} className="pz-chip" data-tag={tag}>
          {tag}
          <button
            type="button"
            aria-label={t('tag_remove', tag)}
            onClick={() => onChange(tags.filter((x) => x !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        ref={inputRef}
        className="pz-tags"
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={label}
        value={draft}
        onChange={(e) => {
          const value = e.target.value;
          if (SEPARATORS.test(value)) add(value.split(SEPARATORS));
          else {
            setDraft(value);
            setOpen(true);
            setActive(-1);
          }
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <div className="pz-suggestions" role="listbox" id={listId} aria-label={t('tags_suggestions')}>
          {suggestions.map((entry, i) => (
            <div
              key={entry.tag}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? 'pz-active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                add([entry.tag]);
              }}
            >
              <span>{entry.tag}</span>
              <span className="pz-count">{entry.count}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
