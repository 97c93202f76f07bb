/**
 * Suggestions for a task from its clause's own words: many notices write who is responsible and by when into
 * the item itself. The user confirms or edits every suggestion; nothing here is applied silently.
 *
 *   extractTaskHints('……（牵头单位：县发改局（粮食局）；责任单位：各镇人民政府，嘉鱼经济开发区）6月底前完成', { year: 2021 })
 *   → { leadUnits: ['县发改局（粮食局）'], units: ['各镇人民政府', '嘉鱼经济开发区'], leaders: [],
 *       due: { text: '6月底前', date: '2021-06-30' } }
 *
 * What it reads (the fixtures in test/fixtures/tasks/hints.json are real examples of each):
 * - Markers followed by a colon (or in 【】): 牵头单位 / 牵头部门 / 主办单位 … → leadUnits; 责任单位 / 责任科室 /
 *   配合单位 / 协同责任单位 … → units; 责任领导 / 分管领导 / 牵头负责领导 … → leaders; 完成时限 / 时间节点 … → due.
 *   A marker's text runs to the next marker, a ；or 。, a line break, or the bracket that encloses it.
 * - Role verbs in a bracket: （市政府办公室牵头，市级各有关部门按职责分工负责）; and in running text
 *   由X牵头 / 由X会同Y等部门.
 * - Units are split on 、，,；/ and on 和 / 及 / 以及 / 与 only where both sides end like a unit name (局, 委, 办,
 *   中心, 政府 …), so 教育和体育局 and 人力资源和社会保障局 stay whole while 市财政局和市税务局 splits. Nothing
 *   inside brackets is split (各县（市、区）人民政府), and 各市、县人民政府 stays one unit. A unit marked （牵头）
 *   inside a list is a lead unit. A unit named as lead is not repeated among the other units.
 * - Deadlines, resolved against the notice's year (`context.year`): 6月30日前, 3月底前, 10月下旬前, 2023年9月,
 *   年底前, 年内, 上半年, 第三季度, 三、四季度, 到2025年; 今年 / 明年 relative to it. `date` is the last day of the
 *   period ('YYYY-MM-DD'); "before" a period (3月前, 2025年前) is the day before it starts. Ongoing phrases
 *   (长期坚持, 持续推进, 每月28日前 …) give `date: null`, as does a deadline when no year is known. Running text
 *   such as 持续推进高校巡讲 is not a deadline: an ongoing phrase counts only standing alone, a month only with
 *   前 / 于 / 到 / 完成 around it, and nothing followed by 起 / 开始 / 以来. With several deadlines the latest wins.
 * The text is kept as written (full-width or not); matching folds full-width forms to ASCII first.
 */
import { endOfMonth, isoDay } from './dates.ts';

export type DueDate = { text: string; date: string | null };
export type TaskHints = { leadUnits: string[]; units: string[]; leaders: string[]; due: DueDate | null };
export type HintContext = { year?: number };

/** Longer text is cut: a clause long enough to hold more than this is a chapter, not an item. */
const MAX_INPUT = 50_000;
const MAX_MARKER_TEXT = 400;
const MAX_NAME = 60;
const MAX_NAMES = 30;
const MAX_DUE_TEXT = 100;

type Role = 'lead' | 'units' | 'leaders' | 'due';

const MARKERS: Record<Role, string[]> = {
  lead: [
    '牵头单位',
    '牵头部门',
    '牵头科室',
    '牵头处室',
    '牵头责任单位',
    '牵头责任部门',
    '主办单位',
    '主责单位',
    '主责部门',
    '牵头',
  ],
  units: [
    '责任单位',
    '责任部门',
    '责任科室',
    '责任处室',
    '责任股室',
    '责任主体',
    '承办单位',
    '配合单位',
    '配合部门',
    '配合科室',
    '配合责任单位',
    '协办单位',
    '协助单位',
    '参与单位',
    '协同单位',
    '协同责任单位',
    '协作单位',
    '配合',
  ],
  leaders: [
    '责任领导',
    '分管领导',
    '牵头领导',
    '牵头负责领导',
    '分管市领导',
    '分管县领导',
    '分管区领导',
    '责任市领导',
    '责任县领导',
    '联系领导',
    '包保领导',
    '领衔领导',
    '分管负责人',
  ],
  due: ['完成时限', '完成时间', '完成期限', '时限要求', '办结时限', '时间节点', '时间要求', '时限'],
};

const ROLE_OF = new Map<string, Role>(
  (Object.entries(MARKERS) as [Role, string[]][]).flatMap(([role, words]) => words.map((w) => [w, role] as const)),
);
const MARKER_WORDS = [...ROLE_OF.keys()].sort((a, b) => b.length - a.length);
/** A marker word at the end of a stretch, in 【】 or not glued to a preceding word (各责任单位 is no marker). */
const MARKER_BEFORE = new RegExp(`(^|[^\\p{L}\\p{N}])\\s*(${MARKER_WORDS.join('|')})\\s*$`, 'u');
/** What follows a marker word: a colon or a closing 】/]. Markers are found from these, which are rare. */
const MARKER_END = /[:：】\]］]/g;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** +1 for an opening bracket or quote, -1 for a closing one, 0 otherwise (char codes: this runs on every character). */
function bracketStep(code: number): number {
  switch (code) {
    case 0x28: // (
    case 0x5b: // [
    case 0x7b: // {
    case 0x3010: // 【
    case 0x3014: // 〔
    case 0x300a: // 《
    case 0x201c: // “
    case 0x2018: // ‘
    case 0xff08: // （
    case 0xff3b: // ［
    case 0xff5b: // ｛
      return 1;
    case 0x29:
    case 0x5d:
    case 0x7d:
    case 0x3011:
    case 0x3015:
    case 0x300b:
    case 0x201d:
    case 0x2019:
    case 0xff09:
    case 0xff3d:
    case 0xff5d:
      return -1;
    default:
      return 0;
  }
}

/**
 * Full-width ASCII forms to ASCII and unusual spaces to a space, one UTF-16 unit for one, so every offset in
 * the folded text is an offset in the original. Only the stretches that matter are folded (a marker, a
 * bracket, the words around 月 or 年): folding a whole chapter costs more than reading it.
 */
function fold(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000\u00A0\u2000-\u200B\u202F\u205F]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : ' ';
  });
}

type Span = { start: number; end: number };

function slice(text: string, span: Span) {
  const o = text.slice(span.start, span.end);
  return { o, f: fold(o) };
}

export function extractTaskHints(clauseText: string, context: HintContext = {}): TaskHints {
  const text = String(clauseText ?? '').slice(0, MAX_INPUT);
  const names = new NameLists();
  const markers = findMarkers(text);
  let dueText: DueDate | null = null;
  for (const marker of markers) {
    const { o, f } = slice(text, marker.content);
    if (marker.role === 'leaders') names.addLeaders(splitNames(o, f));
    else if (marker.role === 'due') dueText ??= markerDue(o, context.year);
    else names.addUnits(parseUnitList(o, f, marker.role), false);
  }
  const taken = markers.map((m) => ({ start: m.start, end: m.content.end }));
  for (const group of bracketGroups(text)) {
    if (taken.some((t) => t.start < group.end && group.start < t.end)) continue;
    const { o, f } = slice(text, { start: group.start + 1, end: group.end - 1 });
    names.addUnits(parseRoleGroup(o, f), true);
  }
  names.addUnits(parseYouClauses(text), true);
  return {
    leadUnits: names.lead,
    units: names.units.filter((u) => !names.leadKeys.has(unitKey(u))),
    leaders: names.leaders,
    due: dueText ?? inlineDue(text, context.year),
  };
}

class NameLists {
  readonly lead: string[] = [];
  readonly units: string[] = [];
  readonly leaders: string[] = [];
  readonly leadKeys = new Set<string>();
  private readonly unitKeys = new Set<string>();
  private readonly leaderKeys = new Set<string>();

  addUnits(found: RoleName[], onlyUnitLike: boolean): void {
    for (const { name, lead } of found) {
      if (onlyUnitLike && !looksLikeUnit(name)) continue;
      const key = unitKey(name);
      if (lead && !this.leadKeys.has(key) && this.lead.length < MAX_NAMES) {
        this.leadKeys.add(key);
        this.lead.push(name);
      } else if (!lead && !this.unitKeys.has(key) && this.units.length < MAX_NAMES) {
        this.unitKeys.add(key);
        this.units.push(name);
      }
    }
  }

  addLeaders(found: string[]): void {
    for (const name of found) {
      const key = unitKey(name);
      if (this.leaderKeys.has(key) || this.leaders.length >= MAX_NAMES) continue;
      this.leaderKeys.add(key);
      this.leaders.push(name);
    }
  }
}

/** Comparison form of a name: folded, without whitespace. */
function unitKey(name: string): string {
  return fold(name).replace(/\s+/g, '');
}

// --- markers ---

type Marker = { role: Role; start: number; content: Span };

function findMarkers(text: string): Marker[] {
  const found: { role: Role; start: number; contentStart: number }[] = [];
  for (const end of text.matchAll(MARKER_END)) {
    const from = Math.max(0, end.index - 16);
    const match = MARKER_BEFORE.exec(fold(text.slice(from, end.index)));
    if (!match) continue;
    if (match[1] === '' && from > 0 && LETTER_OR_DIGIT.test(text[from - 1]!)) continue;
    const wordStart = end.index - match[0].length + match[0].indexOf(match[2]!);
    const bracketed = '【[［'.includes(text[wordStart - 1] ?? '');
    found.push({
      role: ROLE_OF.get(match[2]!)!,
      start: bracketed ? wordStart - 1 : wordStart,
      contentStart: end.index + 1,
    });
  }
  return found.map((m, i) => {
    const next = found[i + 1]?.start ?? text.length;
    const content = { start: m.contentStart, end: contentEnd(text, m.contentStart, next) };
    return { role: m.role, start: m.start, content };
  });
}

/** Where a marker's text ends: a ；。 or line break outside brackets, the enclosing bracket, or the next marker. */
function contentEnd(text: string, from: number, limit: number): number {
  const stop = Math.min(limit, from + MAX_MARKER_TEXT);
  let depth = 0;
  for (let i = from; i < stop; i++) {
    const code = text.charCodeAt(i);
    const step = bracketStep(code);
    if (step < 0 && depth === 0) return i;
    depth += step;
    // ; ； 。 line breaks
    if (depth === 0 && (code === 0x3b || code === 0xff1b || code === 0x3002 || code === 0x0a || code === 0x0d))
      return i;
  }
  return stop;
}

// --- unit lists ---

type RoleName = { name: string; lead: boolean };

/** What ends a unit's name; bare 会 or 行 would catch 社会 and 执行. */
const UNIT_END =
  /(?:局|委|办|厅|部|院|署|室|科|处|股|中心|政府|委员会|管委会|工会|协会|学会|商会|联合会|基金会|红十字会|单位|部门|公司|集团|站|所|队|社|馆|校|园|组|党委|党组|支部|街道|镇|乡|联|协|团|银行|电视台|广播电台|司|机关|办事处|专班|区|县|市|省|州|旗|村|社区|医院|海关|法院|检察院|监狱|农场|林场|总队|支队|大队)$/;
/** The first part of an elliptical pair: 各市、县人民政府, 市、县两级政府. */
const ELLIPTICAL = /^(?:各|全)?(?:省|市|县|区|乡|镇|州|旗|盟)(?:级)?$/;
const LEAD_VERB = /(?:牵头(?:负责|抓总|落实)?)$/;
const UNITS_VERB =
  /(?:按职责分工负责|按职能分工负责|按职责分工落实|按职责负责|按职责落实|分工负责|分别负责|共同负责|负责落实|负责|配合落实|配合|参与|协助|协同)$/;
const LEAD_NOTE = /[(](?:牵头|主办)[)]$/;
const UNITS_NOTE = /[(](?:配合|协办|参与)[)]$/;
const FILLER_END = /(?:等(?:有关|相关)?(?:部门|单位)?|下同|[,、;/.。\s])+$/;
const FILLER_START = /^(?:由|请|以及|及|和|与|[,、;/\s])+/;

function looksLikeUnit(name: string): boolean {
  const f = fold(name);
  return UNIT_END.test(f.replace(/\([^()]*\)$/, '')) || /^(?:各|有关|相关)/.test(f);
}

/** Splits a span at depth-0 separators; returns the parts' spans (relative to the span's text). */
function splitAtDepthZero(f: string, separators: string): Span[] {
  const parts: Span[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < f.length; i++) {
    depth = Math.max(0, depth + bracketStep(f.charCodeAt(i)));
    if (depth === 0 && separators.includes(f[i]!)) {
      parts.push({ start, end: i });
      start = i + 1;
    }
  }
  parts.push({ start, end: f.length });
  return parts;
}

/**
 * A list of units as written after a marker (default role) or in a role bracket: 、 and , separate units; a
 * trailing 牵头 / 配合 gives its role to the units since the last verb; （牵头） to its own unit only.
 */
function parseUnitList(o: string, f: string, defaultRole: 'lead' | 'units', requireVerb = false): RoleName[] {
  const pieces = mergeElliptical(f, splitAtDepthZero(f, '、,;/，；'));
  const out: RoleName[] = [];
  let pending: string[] = [];
  let sawVerb = false;
  for (const piece of pieces) {
    let po = o.slice(piece.start, piece.end).trim();
    let pf = fold(po);
    let role: 'lead' | 'units' | null = null;
    let own: boolean | null = null;
    if (LEAD_NOTE.test(pf) || UNITS_NOTE.test(pf)) {
      own = LEAD_NOTE.test(pf);
      const cut = pf.lastIndexOf('(');
      po = po.slice(0, cut);
      pf = pf.slice(0, cut);
    } else {
      const verb = LEAD_VERB.exec(pf) ?? UNITS_VERB.exec(pf);
      if (verb) {
        role = LEAD_VERB.test(pf) ? 'lead' : 'units';
        po = po.slice(0, verb.index);
        pf = pf.slice(0, verb.index);
      }
    }
    const names = splitConjoined(po, pf);
    if (own !== null) {
      for (const name of names) out.push({ name, lead: own });
      continue;
    }
    pending.push(...names);
    if (role) {
      sawVerb = true;
      for (const name of pending) out.push({ name, lead: role === 'lead' });
      pending = [];
    }
  }
  if (!requireVerb) for (const name of pending) out.push({ name, lead: defaultRole === 'lead' });
  return sawVerb || !requireVerb ? out : [];
}

/** Joins 各市 with 县人民政府 (and 市 with 县两级政府): the first names no unit on its own. */
function mergeElliptical(f: string, parts: Span[]): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < parts.length; i++) {
    const start = parts[i]!.start;
    while (ELLIPTICAL.test(f.slice(parts[i]!.start, parts[i]!.end).trim()) && i + 1 < parts.length) i++;
    out.push({ start, end: parts[i]!.end });
  }
  return out;
}

/** 市财政局和市税务局 → two units; 教育和体育局 → one (the part before 和 does not end like a unit). */
function splitConjoined(o: string, f: string): string[] {
  const out: string[] = [];
  let from = 0;
  let depth = 0;
  for (let i = 0; i < f.length; i++) {
    const code = f.charCodeAt(i);
    depth = Math.max(0, depth + bracketStep(code));
    // 以及 及 和 与
    if (depth !== 0 || (code !== 0x4ee5 && code !== 0x53ca && code !== 0x548c && code !== 0x4e0e)) continue;
    const length = f.startsWith('以及', i) ? 2 : code === 0x4ee5 ? 0 : 1;
    if (!length) continue;
    if (looksLikeUnitEnd(f.slice(from, i)) && looksLikeUnitEnd(f.slice(i + length))) {
      out.push(o.slice(from, i));
      from = i + length;
    }
    i += length - 1;
  }
  out.push(o.slice(from));
  return out.map(cleanName).filter((name): name is string => name !== null);
}

function looksLikeUnitEnd(f: string): boolean {
  return UNIT_END.test(f.trim().replace(/\([^()]*\)$/, ''));
}

/** A name as written, without list fillers (等, leading 由), whitespace between Chinese characters removed. */
function cleanName(raw: string): string | null {
  let name = raw.replace(FILLER_START, '');
  let previous = '';
  while (previous !== name) {
    previous = name;
    name = name.replace(FILLER_END, '').replace(/\s*[\u3002\uFF0C\u3001\uFF1B]+$/u, '');
  }
  name = name
    .replace(/(?<=[\p{Script=Han}\p{P}])\s+|\s+(?=[\p{Script=Han}\p{P}])/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!name || [...name].length > MAX_NAME || /[。:：]/.test(name)) return null;
  if (/^(?:等|有关|相关|其他)$/.test(name)) return null;
  return name;
}

function splitNames(o: string, f: string): string[] {
  return splitAtDepthZero(f, '、,;/，；')
    .map((span) => cleanName(o.slice(span.start, span.end).replace(/同志$/, '')))
    .filter((name): name is string => name !== null);
}

// --- roles in brackets and running text ---

/** Top-level （）[]【】〔〕 groups (quotes and 《》 are not role brackets). */
function bracketGroups(text: string): Span[] {
  const groups: Span[] = [];
  let depth = 0;
  let start = -1;
  for (const match of text.matchAll(/[()（）[\]［］【】〔〕]/g)) {
    if ('(（[［【〔'.includes(match[0])) {
      if (depth === 0) start = match.index;
      depth++;
    } else if (depth > 0) {
      depth--;
      if (depth === 0 && match.index - start <= MAX_MARKER_TEXT) groups.push({ start, end: match.index + 1 });
    }
  }
  return groups;
}

/** （市教育局牵头，市财政局、市人社局配合）: only a bracket with a role verb counts. */
function parseRoleGroup(o: string, f: string): RoleName[] {
  if (!/牵头|负责|配合|参与|协助|协同/.test(f)) return [];
  return parseUnitList(o, f, 'units', true);
}

/** 由国土资源部会同农业部等部门负责落实; 由市教育局牵头. */
function parseYouClauses(text: string): RoleName[] {
  const out: RoleName[] = [];
  const pattern = /(?<![自理缘事来])由(?![于此衷])([^,，;；:：。、()（）[\]［］【】\s]{2,30}?)(牵头|会同)/g;
  for (const match of text.matchAll(pattern)) {
    const leadStart = match.index + 1;
    const lead = cleanName(text.slice(leadStart, leadStart + match[1]!.length));
    if (!lead || !looksLikeUnit(lead)) continue;
    out.push({ name: lead, lead: true });
    if (match[2] !== '会同') continue;
    const from = match.index + match[0].length;
    const rest = fold(text.slice(from, from + MAX_MARKER_TEXT));
    const end = /等(?:有关|相关)?(?:部门|单位)|负责|研究|共同|制定|提出|组织|联合|落实|开展|[,;。]/.exec(rest);
    if (!end) continue;
    const o = text.slice(from, from + end.index);
    out.push(...parseUnitList(o, fold(o), 'units'));
  }
  return out;
}

// --- deadlines ---

const CN_DIGIT: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const MONTH = '(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])';
const DAY = '(3[01]|[12]\\d|0?[1-9])';
const YEAR = '(?:((?:19|20)\\d{2})年|(今|本|当|明|次|来)年)';
const BEFORE = '(之前|以前|前)';
const QUARTER = '[一二三四1-4]';

type Raw = {
  start: number;
  end: number;
  kind: 'day' | 'month-part' | 'month' | 'year-end' | 'period' | 'year' | 'ongoing' | 'cadence';
  year?: string;
  rel?: string;
  month?: string;
  day?: string;
  part?: string;
  before?: boolean;
};

type Pattern = { kind: Raw['kind']; re: RegExp; read: (m: RegExpExecArray) => Partial<Raw> };

const PATTERNS: Pattern[] = [
  {
    kind: 'day',
    re: new RegExp(`(?<!\\d)${YEAR}?${MONTH}月${DAY}(?:日|号)(之前|以前|前|为止|止)?`, 'g'),
    read: (m) => ({ year: m[1], rel: m[2], month: m[3], day: m[4], before: m[5] !== undefined }),
  },
  {
    kind: 'month-part',
    re: new RegExp(`(?<!\\d)${YEAR}?${MONTH}月份?(底|末|上旬|中旬|下旬)${BEFORE}?`, 'g'),
    read: (m) => ({ year: m[1], rel: m[2], month: m[3], part: m[4], before: m[5] !== undefined }),
  },
  {
    kind: 'month',
    re: new RegExp(
      `(?<![\\d一二三四五六七八九十])${YEAR}?${MONTH}月份?${BEFORE}?(?![\\d一二三四五六七八九十日号底末旬初中份])`,
      'g',
    ),
    read: (m) => ({ year: m[1], rel: m[2], month: m[3], before: m[4] !== undefined }),
  },
  {
    kind: 'year-end',
    re: new RegExp(`(?:${YEAR}|(?<![一二两三四五六七八九十几数半多百\\d〇零])年)(底|末|内)${BEFORE}?`, 'g'),
    read: (m) => ({ year: m[1], rel: m[2], part: m[3] }),
  },
  {
    kind: 'period',
    re: new RegExp(`${YEAR}?(上半年|下半年|第?${QUARTER}(?:、${QUARTER})?季度(?:末|底)?)${BEFORE}?`, 'g'),
    read: (m) => ({ year: m[1], rel: m[2], part: m[3], before: m[4] !== undefined }),
  },
  {
    kind: 'year',
    re: new RegExp(`(?<!\\d)((?:19|20)\\d{2})年${BEFORE}?`, 'g'),
    read: (m) => ({ year: m[1], before: m[2] !== undefined }),
  },
  {
    kind: 'ongoing',
    re: /长期坚持|持续推进|长期推进|长期开展|持续开展|常态化推进|常态化开展|长期执行|持续实施|长期|常态化|全年/g,
    read: () => ({}),
  },
  {
    kind: 'cadence',
    re: /每个?(?:月|季度|季|年度|年|半年|周)[^,;。()]{0,12}?(?:之前|以前|前)/g,
    read: () => ({}),
  },
];

/**
 * The patterns run on short folded windows around what each needs (月, 年, 半年 / 季度, 每, an ongoing phrase),
 * wide enough for the longest phrase: scanning a whole chapter with them costs ten times more.
 */
const WINDOWS: { trigger: RegExp; before: number; after: number; kinds: Raw['kind'][] }[] = [
  { trigger: /月/g, before: 8, after: 10, kinds: ['day', 'month-part', 'month'] },
  { trigger: /年/g, before: 6, after: 6, kinds: ['year-end', 'year'] },
  { trigger: /半年|季度/g, before: 12, after: 6, kinds: ['period'] },
  { trigger: /每/g, before: 0, after: 24, kinds: ['cadence'] },
  { trigger: /长期|持续|常态化|全年/g, before: 0, after: 6, kinds: ['ongoing'] },
];

const PREFIX = /(?:于|在|到|至|截至|截止|截止到|最迟|最晚|不晚于|确保|力争|争取)\s*$/;
const COMPLETION =
  /^\s*(?:全面|基本|全部|如期|按时|前)?(?:完成|办结|完工|建成|竣工|出台|印发|到位|实现|落地|上线|投用|投入使用|结束)/;
const START_AFTER = /^\s*(?:起|开始|以来|以后|之后|后|开工|启动)/;
const STANDALONE_BEFORE = /(?:^|[,;。(:[【〔、\s])$/;
const STANDALONE_AFTER = /^(?:$|[,;。)\]】〕、\s])/;

function rawMatches(text: string): Raw[] {
  const all: Raw[] = [];
  for (const { trigger, before, after, kinds } of WINDOWS) {
    const patterns = PATTERNS.filter((p) => kinds.includes(p.kind));
    for (const window of windows(text, trigger, before, after)) {
      const folded = fold(text.slice(window.start, window.end));
      for (const { kind, re, read } of patterns) {
        re.lastIndex = 0;
        for (let m = re.exec(folded); m; m = re.exec(folded)) {
          all.push({ kind, start: window.start + m.index, end: window.start + m.index + m[0].length, ...read(m) });
        }
      }
    }
  }
  if (all.length < 2) return all;
  // Where matches overlap the longest wins (2025年底前 over 2025年), then the earliest.
  all.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const offset = Math.min(...all.map((r) => r.start));
  const taken = new Uint8Array(Math.max(...all.map((r) => r.end)) - offset);
  const kept: Raw[] = [];
  for (const raw of all) {
    if (taken.subarray(raw.start - offset, raw.end - offset).includes(1)) continue;
    taken.fill(1, raw.start - offset, raw.end - offset);
    kept.push(raw);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** The stretches around each trigger, merged where they touch. */
function windows(text: string, trigger: RegExp, before: number, after: number): Span[] {
  const out: Span[] = [];
  for (const match of text.matchAll(trigger)) {
    const start = Math.max(0, match.index - before);
    const end = Math.min(text.length, match.index + match[0].length + after);
    const last = out[out.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** Whether a match stands for a deadline in running text (in a 完成时限 field everything does). */
function isDeadline(raw: Raw, text: string): boolean {
  const before = fold(text.slice(Math.max(0, raw.start - 4), raw.start));
  const after = fold(text.slice(raw.end, raw.end + 6));
  if (START_AFTER.test(after)) return false;
  const framed = raw.before || PREFIX.test(before) || COMPLETION.test(after);
  switch (raw.kind) {
    case 'day':
    case 'year':
      return framed;
    case 'month-part':
      return framed || raw.part === '底' || raw.part === '末';
    case 'month':
      return framed || (raw.year !== undefined && /[(（]$/.test(before) && /^[)）]/.test(after));
    case 'ongoing':
      return STANDALONE_BEFORE.test(before) && STANDALONE_AFTER.test(after);
    default:
      return true;
  }
}

function monthNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  return text.startsWith('十') ? 10 + (CN_DIGIT[text[1] ?? ''] ?? 0) : (CN_DIGIT[text] ?? 0);
}

function quarterNumber(ch: string): number {
  return /\d/.test(ch) ? Number(ch) : CN_DIGIT[ch]!;
}

function resolveYear(raw: Raw, year: number | undefined): number | null {
  if (raw.year) return Number(raw.year);
  if (year === undefined || !Number.isInteger(year)) return null;
  return raw.rel && '明次来'.includes(raw.rel) ? year + 1 : year;
}

/** The day before the first day of a month: "3月前" ends on the last day of February. */
function beforeMonth(year: number, month: number): string | null {
  return month === 1 ? isoDay(year - 1, 12, 31) : endOfMonth(year, month - 1);
}

/** The last day of the period the match names, or null (ongoing, no year known, no such day). */
function resolve(raw: Raw, year: number | undefined): string | null | undefined {
  if (raw.kind === 'ongoing' || raw.kind === 'cadence') return null;
  const y = resolveYear(raw, year);
  if (y === null) return null;
  const month = raw.month ? monthNumber(raw.month) : 0;
  switch (raw.kind) {
    case 'day':
      return isoDay(y, month, Number(raw.day)) ?? undefined;
    case 'month-part': {
      const day = raw.part === '上旬' ? 10 : raw.part === '中旬' ? 20 : 0;
      return (day ? isoDay(y, month, day) : endOfMonth(y, month)) ?? undefined;
    }
    case 'month':
      return (raw.before ? beforeMonth(y, month) : endOfMonth(y, month)) ?? undefined;
    case 'year-end':
      return isoDay(y, 12, 31);
    case 'year':
      return raw.before ? isoDay(y - 1, 12, 31) : isoDay(y, 12, 31);
    case 'period': {
      const part = raw.part!;
      const lastMonth =
        part === '上半年'
          ? 6
          : part === '下半年'
            ? 12
            : quarterNumber(part.replace(/[^一二三四1-4]/g, '').slice(-1)) * 3;
      const firstMonth = part === '上半年' ? 1 : part === '下半年' ? 7 : lastMonth - 2;
      return raw.before && !/[末底]/.test(part) ? beforeMonth(y, firstMonth) : endOfMonth(y, lastMonth);
    }
  }
}

type Candidate = { text: string; date: string | null; ongoing: boolean };

function candidates(text: string, year: number | undefined, inField: boolean): Candidate[] {
  const out: Candidate[] = [];
  for (const raw of rawMatches(text)) {
    if (!inField && !isDeadline(raw, text)) continue;
    const date = resolve(raw, year);
    if (date === undefined) continue; // 2月30日: not a day
    out.push({ text: text.slice(raw.start, raw.end), date, ongoing: raw.kind === 'ongoing' || raw.kind === 'cadence' });
  }
  return out;
}

/** The latest dated deadline; else the first undated one (no year known); else the first ongoing phrase. */
function pick(found: Candidate[]): Candidate | null {
  let best: Candidate | null = null;
  for (const c of found) if (!c.ongoing && c.date && (!best?.date || c.date > best.date)) best = c;
  return best ?? found.find((c) => !c.ongoing) ?? found[0] ?? null;
}

function markerDue(o: string, year: number | undefined): DueDate | null {
  const text = o
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[,，、]+$/, '');
  if (!text) return null;
  const best = pick(candidates(o, year, true));
  return { text: [...text].slice(0, MAX_DUE_TEXT).join(''), date: best && !best.ongoing ? best.date : null };
}

function inlineDue(text: string, year: number | undefined): DueDate | null {
  const best = pick(candidates(text, year, false));
  return best ? { text: best.text, date: best.date } : null;
}
