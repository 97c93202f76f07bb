/**
 * The team's tag renames as readers apply them, and what a rename or merge writes (docs/room-layout.md, the team
 * room). A rename is data the team shares, never a rewrite of anyone's annotations: every reader maps each tag
 * through the `tagRenames` map when it reads, so a use of the old tag that arrives later (from a colleague who
 * was offline) reads as the new one too.
 *
 * Resolution follows the chain (a → b → c reads c) and stops at the first tag it meets twice: two offline
 * colleagues renaming a → b and b → a leave both tags as they are, the same on every replica.
 */
import { LIMITS } from './annotation.ts';
import { memoizeByKey } from './objects.ts';
import { normaliseTag, normaliseTags } from './tags.ts';
import type { TagRename } from './team-room.ts';

/** Renames by their normalised source tag (only `to` is read). */
export type TagRenames = ReadonlyMap<string, Pick<TagRename, 'to'>>;

export type TagResolver = (tag: string) => string;

/** The tag a (normalised) tag reads as now. */
export function resolveTag(renames: TagRenames, tag: string): string {
  const seen = new Set([tag]);
  let current = tag;
  for (;;) {
    const next = renames.get(current)?.to;
    if (next === undefined || next === current) return current;
    if (seen.has(next)) return next;
    seen.add(next);
    current = next;
  }
}

const identity: TagResolver = (tag) => tag;

/** resolveTag over one snapshot of the renames, each tag resolved once. */
export function tagResolver(renames: TagRenames): TagResolver {
  if (renames.size === 0) return identity;
  return memoizeByKey((tag) => resolveTag(renames, tag));
}

/** A list of tags as the team reads it: each resolved, duplicates dropped, first-seen order kept. */
export function resolveTags(tags: readonly string[], resolve: TagResolver): string[] {
  if (resolve === identity) return [...tags];
  return normaliseTags(tags.map(resolve));
}

/** Whether resolving changes anything in this list (so a reader can keep the same object when it does not). */
export function tagsChangeUnder(tags: readonly string[], resolve: TagResolver): boolean {
  if (resolve === identity) return false;
  const seen = new Set<string>();
  for (const tag of tags) {
    const resolved = resolve(tag);
    if (resolved !== tag || seen.has(resolved)) return true;
    seen.add(resolved);
  }
  return false;
}

/**
 * The tags whose resolution differs between two versions of the renames: only keys of either map can change,
 * so annotations carrying one of these (as written) are the only ones a change of the renames re-maps.
 */
export function tagsRemapped(before: TagRenames, after: TagRenames): string[] {
  const resolveBefore = tagResolver(before);
  const resolveAfter = tagResolver(after);
  const changed: string[] = [];
  for (const tag of new Set([...before.keys(), ...after.keys()])) {
    if (resolveBefore(tag) !== resolveAfter(tag)) changed.push(tag);
  }
  return changed;
}

/** Every tag that reads as one of these (the tag itself included when it is not renamed away). */
export function tagsReadingAs(renames: TagRenames, targets: readonly string[]): string[] {
  const resolve = tagResolver(renames);
  const wanted = new Set(targets.map((tag) => resolve(normaliseTag(tag))));
  const sources = new Set<string>();
  for (const tag of wanted) if (resolve(tag) === tag) sources.add(tag);
  for (const tag of renames.keys()) if (wanted.has(resolve(tag))) sources.add(tag);
  return [...sources];
}

/** Former names of each tag: the renamed tags that read as it now (for suggestions that find an old name). */
export function formerNames(renames: TagRenames): Map<string, string[]> {
  const resolve = tagResolver(renames);
  const former = new Map<string, string[]>();
  for (const tag of renames.keys()) {
    const now = resolve(tag);
    if (now === tag) continue;
    const list = former.get(now);
    if (list) list.push(tag);
    else former.set(now, [tag]);
  }
  return former;
}

/** What a rename or merge writes into `tagRenames`: values to set and keys to delete. */
export type TagRenamePlan = {
  /** Entries to write (key: the source tag). */
  set: Map<string, TagRename>;
  /** Keys to delete (a target that had been renamed away becomes a name of its own again). */
  remove: string[];
  /** The tags (as they read before) that now read as `target`. */
  renamed: string[];
  /** What they read as now. */
  target: string;
};

/** A rename refused for its new name: `code` and `params` are the protocol's (shared/protocol/errors.ts). */
export class TagRenameError extends Error {
  override name = 'TagRenameError';

  constructor(
    readonly code: 'empty_tag' | 'tag_too_long',
    message: string,
    readonly params: { max?: number } = {},
  ) {
    super(message);
  }
}

/**
 * Renames or merges tags: every tag in `from` reads as `to` afterwards. Sources are taken as they read now (a
 * tag renamed before is renamed under its current name); a source that already reads as the target is skipped.
 * Naming a tag back (b had been renamed to a, and a is now renamed to b) deletes b's entry rather than closing a
 * cycle; otherwise a target that was itself renamed keeps its chain (the sources read as where it leads).
 * Throws TagRenameError for an empty or over-long target; an empty plan means there is nothing to change.
 */
export function planTagRename(
  renames: TagRenames,
  from: readonly string[],
  to: string,
  stamp: { by: string; at: number },
): TagRenamePlan {
  const target = normaliseTag(to);
  if (!target) throw new TagRenameError('empty_tag', 'The new tag is empty');
  if (target.length > LIMITS.tagChars) {
    throw new TagRenameError('tag_too_long', `A tag has at most ${LIMITS.tagChars} characters`, {
      max: LIMITS.tagChars,
    });
  }
  const resolve = tagResolver(renames);
  const sources = new Set(
    normaliseTags(from)
      .filter((tag) => tag.length <= LIMITS.tagChars)
      .map(resolve),
  );
  let reads = resolve(target);
  const remove: string[] = [];
  if (sources.has(reads) && reads !== target) {
    // Naming back: the target's own entry goes, so it is a name again and nothing loops.
    remove.push(target);
    reads = target;
  }
  sources.delete(reads);
  const set = new Map<string, TagRename>();
  for (const source of sources) set.set(source, { to: target, by: stamp.by, at: stamp.at });
  return { set, remove: set.size ? remove : [], renamed: [...sources], target: reads };
}
