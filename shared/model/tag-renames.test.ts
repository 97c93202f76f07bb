import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  formerNames,
  planTagRename,
  resolveTag,
  resolveTags,
  TagRenameError,
  type TagRenames,
  tagResolver,
  tagsChangeUnder,
  tagsReadingAs,
  tagsRemapped,
} from './tag-renames.ts';
import { readTagRenames, readUnits, tagRenamesMap, unitsMap, writeTeamEntries } from './team-room.ts';

const stamp = { by: 'm1', at: 1_700_000_000_000 };
const renames = (pairs: Record<string, string>): TagRenames =>
  new Map(Object.entries(pairs).map(([from, to]) => [from, { to }]));

/** Applies a plan to a map of renames as the team room would hold it afterwards. */
function applied(before: TagRenames, plan: ReturnType<typeof planTagRename>): TagRenames {
  const after = new Map(before);
  for (const key of plan.remove) after.delete(key);
  for (const [key, value] of plan.set) after.set(key, value);
  return after;
}

describe('resolving tags through the team’s renames', () => {
  it('follows chains and leaves other tags alone', () => {
    const map = renames({ 重点任务: '重点工作', 重点工作: '重点事项' });
    expect(resolveTag(map, '重点任务')).toBe('重点事项');
    expect(resolveTag(map, '重点工作')).toBe('重点事项');
    expect(resolveTag(map, '体育')).toBe('体育');
    expect(resolveTags(['重点任务', '体育', '重点事项'], tagResolver(map))).toEqual(['重点事项', '体育']);
  });

  it('stops a cycle at the first tag met twice, the same on every replica', () => {
    // Two colleagues offline: one renamed a → b, the other b → a. Neither rename wins; nothing loops.
    const map = renames({ a: 'b', b: 'a' });
    expect(resolveTag(map, 'a')).toBe('a');
    expect(resolveTag(map, 'b')).toBe('b');
    const tail = renames({ x: 'b', b: 'c', c: 'b' });
    expect(resolveTag(tail, 'x')).toBe('b');
    expect(resolveTag(renames({ a: 'a' }), 'a')).toBe('a');
    const long = new Map(Array.from({ length: 5_000 }, (_, i) => [`t${i}`, { to: `t${(i + 1) % 5_000}` }]));
    expect(resolveTag(long, 't10')).toBe('t10');
  });

  it('tells which written tags read differently after a change of the renames, and nothing else', () => {
    const before = renames({ a: 'b', x: 'y' });
    expect(tagsRemapped(before, renames({ a: 'b', x: 'y', b: 'c' }))).toEqual(['a', 'b']);
    expect(tagsRemapped(before, renames({ a: 'b' }))).toEqual(['x']);
    expect(tagsRemapped(before, before)).toEqual([]);
  });

  it('lists every tag that reads as a given one, for filters over tags as written', () => {
    const map = renames({ 重点任务: '重点工作', 要点: '重点任务', 重点工作: '重点工作' });
    expect(tagsReadingAs(map, ['重点工作']).sort()).toEqual(['要点', '重点任务', '重点工作'].sort());
    // An old name filters as the tag it reads as now.
    expect(tagsReadingAs(map, ['要点']).sort()).toEqual(['要点', '重点任务', '重点工作'].sort());
    expect(tagsReadingAs(renames({ a: 'b' }), ['a'])).toEqual(['b', 'a']);
    expect(formerNames(map).get('重点工作')?.sort()).toEqual(['要点', '重点任务'].sort());
  });

  it('says when a list of tags reads differently, so readers keep unchanged records as they are', () => {
    const resolve = tagResolver(renames({ a: 'b' }));
    expect(tagsChangeUnder(['x', 'y'], resolve)).toBe(false);
    expect(tagsChangeUnder(['a'], resolve)).toBe(true);
    expect(tagsChangeUnder(['b', 'a'], resolve)).toBe(true);
    expect(tagsChangeUnder(['a'], tagResolver(new Map()))).toBe(false);
  });
});

describe('planning a rename or a merge', () => {
  it('writes one entry per source tag, normalised, signed by the writer', () => {
    const plan = planTagRename(new Map(), [' 重点任务 '], '重点工作', stamp);
    expect(plan).toEqual({
      set: new Map([['重点任务', { to: '重点工作', ...stamp }]]),
      remove: [],
      renamed: ['重点任务'],
      target: '重点工作',
    });
    const merge = planTagRename(new Map(), ['ＰＰＰ', '特许经营', '合作'], '合作', stamp);
    expect([...merge.set.keys()]).toEqual(['ppp', '特许经营']);
    expect(merge.target).toBe('合作');
  });

  it('renames a tag under its current name and skips what already reads as the target', () => {
    const map = renames({ 重点任务: '重点工作' });
    const plan = planTagRename(map, ['重点任务'], '重点事项', stamp);
    expect([...plan.set.keys()]).toEqual(['重点工作']);
    expect(resolveTag(applied(map, plan), '重点任务')).toBe('重点事项');
    expect(planTagRename(map, ['重点任务'], '重点工作', stamp).set.size).toBe(0);
  });

  it('names a tag back without a cycle', () => {
    const map = renames({ b: 'a' });
    const plan = planTagRename(map, ['a'], 'b', stamp);
    expect(plan.remove).toEqual(['b']);
    expect(plan.target).toBe('b');
    const after = applied(map, plan);
    expect(resolveTag(after, 'a')).toBe('b');
    expect(resolveTag(after, 'b')).toBe('b');
    const longer = renames({ b: 'x', x: 'a' });
    const back = applied(longer, planTagRename(longer, ['a'], 'b', stamp));
    for (const tag of ['a', 'b', 'x']) expect(resolveTag(back, tag)).toBe('b');
  });

  it('follows the target’s own rename, so the sources read as the team’s current name', () => {
    const map = renames({ 重点工作: '重点事项' });
    const plan = planTagRename(map, ['要点'], '重点工作', stamp);
    expect(plan.target).toBe('重点事项');
    expect(resolveTag(applied(map, plan), '要点')).toBe('重点事项');
  });

  it('refuses an empty or over-long target', () => {
    expect(() => planTagRename(new Map(), ['a'], '   ', stamp)).toThrow(TagRenameError);
    expect(() => planTagRename(new Map(), ['a'], 'x'.repeat(51), stamp)).toThrow(/at most 50/);
    expect(planTagRename(new Map(), ['x'.repeat(51), ''], 'b', stamp).set.size).toBe(0);
  });
});

describe('the team room’s maps as readers see them', () => {
  it('skips entries that break their schema and writes only what changes', () => {
    const doc = new Y.Doc();
    writeTeamEntries(
      tagRenamesMap(doc),
      new Map<string, unknown>([
        ['重点任务', { to: '重点工作', ...stamp }],
        ['PPP', { to: 'ppp', ...stamp }],
        ['体育', { to: 'PE', ...stamp }],
        ['教育', { to: '学校', by: 'not an id', at: 1 }],
      ]),
    );
    expect([...readTagRenames(doc).keys()]).toEqual(['重点任务']);
    unitsMap(doc).set('u1', { name: '办公室', ...stamp });
    unitsMap(doc).set('__proto__', { name: '原型', ...stamp });
    unitsMap(doc).set('u2', { name: '', ...stamp });
    const units = readUnits(doc);
    expect(Object.keys(units)).toEqual(['u1', '__proto__']);
    expect(Object.getPrototypeOf(units)).toBeNull();
    let updates = 0;
    doc.on('update', () => updates++);
    writeTeamEntries(tagRenamesMap(doc), new Map([['重点任务', { to: '重点工作', ...stamp }]]));
    expect(updates).toBe(0);
    writeTeamEntries(tagRenamesMap(doc), new Map([['重点任务', undefined]]));
    expect(readTagRenames(doc).size).toBe(0);
  });
});
