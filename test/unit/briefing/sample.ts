/**
 * Sample team annotations for the briefing's tests, benchmark and visual check: real notices from the
 * corpus, three officials, replies, a private and a deleted record, an orphaned clause, a hostile note.
 */
import {
  type Annotation,
  type AnnotationInput,
  type DocumentInfo,
  parseAnnotation,
} from '../../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../../shared/model/canonical-url.ts';

const T0 = Date.UTC(2024, 2, 4, 1, 30); // 2024-03-04 09:30 in Beijing

function documentFor(url: string, fields: Omit<DocumentInfo, 'key' | 'canonicalUrl' | 'url'>): DocumentInfo {
  return { key: documentKeyFor(url), canonicalUrl: canonicalUrl(url), url, ...fields };
}

export const vocational = documentFor('http://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm', {
  title: '国务院关于印发国家职业教育改革实施方案的通知',
  issuer: '国务院',
  docNumber: '国发〔2019〕4号',
  publishedAt: '2019-02-13',
  language: 'zh-CN',
  readAt: T0 - 86_400_000,
});

export const suizhou = documentFor(
  'http://jyj.suizhou.gov.cn/fbjd_22/zwgk/xxgkml/ghjh/ghxx/202303/t20230329_1089222.shtml',
  {
    title: '市委教育工委 市教育局关于印发2023年工作要点的通知',
    issuer: '随州市教育局',
    publishedAt: '2023-03-29',
    language: 'zh-CN',
    readAt: T0 - 2 * 86_400_000,
  },
);

export const procuratorate = documentFor('https://www.spp.gov.cn/spp/xwfbh/wsfbh/201912/t20191230_451490.shtml', {
  title: '人民检察院刑事诉讼规则',
  issuer: '最高人民检察院',
  publishedAt: '2019-12-30',
  language: 'zh-CN',
});

export const safetyZone = documentFor('https://www.federalregister.gov/d/2024-02701', {
  title: 'Safety Zone; Fireworks Scattering; San Francisco Bay, San Francisco, CA',
  issuer: 'Coast Guard, Department of Homeland Security',
  docNumber: 'USCG-2023-0967',
  publishedAt: '2024-02-09',
  language: 'en-US',
  readAt: T0,
});

export const zhang = { id: 'u-zhang', name: '张三' };
export const li = { id: 'u-li', name: '李四' };
export const wang = { id: 'u-wang', name: '王五' };

let counter = 0;
export function makeAnnotation(
  fields: Partial<AnnotationInput> & Pick<AnnotationInput, 'documentKey' | 'quote'>,
): Annotation {
  counter += 1;
  const clausePath = fields.clausePath ?? [];
  const start = 100 * counter;
  return parseAnnotation({
    id: `s${counter}`,
    teamId: 'team-1',
    selectors: [
      { type: 'TextQuoteSelector', exact: fields.quote || 'x' },
      { type: 'TextPositionSelector', start, end: start + fields.quote.length },
      { type: 'ClauseSelector', path: clausePath, hash: `h${counter}` },
    ],
    clausePath,
    tags: [],
    note: '',
    color: 'yellow',
    author: zhang,
    visibility: 'team',
    replyTo: null,
    createdAt: T0 + counter * 60_000,
    updatedAt: T0 + counter * 60_000,
    deleted: false,
    ...fields,
  });
}

/** A small realistic team data set: every feature of the briefing is exercised. */
export function sampleData(): { annotations: Annotation[]; documents: DocumentInfo[]; orphanId: string; now: number } {
  counter = 0;
  const v = vocational.key;
  const s = suizhou.key;
  const p = procuratorate.key;
  const a1 = makeAnnotation({
    id: 'v-sys',
    documentKey: v,
    clausePath: ['一、', '（一）'],
    quote: '健全国家职业教育制度框架，把握好正确的改革方向',
    tags: ['职业教育', '制度建设'],
    note: '本市职业教育条例修订可对照此条，重点是制度框架的完整性。',
    color: 'green',
  });
  const a1reply = makeAnnotation({
    id: 'v-sys-r',
    documentKey: v,
    clausePath: ['一、', '（一）'],
    quote: a1.quote,
    author: li,
    replyTo: a1.id,
    note: '不同意仅对照条例：建议同时梳理市级配套文件，避免重复立规。',
  });
  const a2 = makeAnnotation({
    id: 'v-1x',
    documentKey: v,
    clausePath: ['二、', '（六）'],
    quote: '启动1+X证书制度试点工作',
    tags: ['职业教育', '证书制度'],
    note: '试点院校名单需在3月底前上报。',
    author: wang,
  });
  const a2same = makeAnnotation({
    id: 'v-1x-li',
    documentKey: v,
    clausePath: ['二、', '（六）'],
    quote: '启动1+X证书制度试点工作',
    tags: ['证书制度'],
    note: '与人社部门的职业技能等级认定如何衔接？',
    author: li,
  });
  const a3 = makeAnnotation({
    id: 'v-ten',
    documentKey: v,
    clausePath: ['三、', '（十）'],
    quote: '推动校企全面加强深度合作',
    tags: ['产教融合'],
    note: '可结合本地开发区企业需求。',
  });
  const a4 = makeAnnotation({
    id: 'v-nine',
    documentKey: v,
    clausePath: ['三、', '（九）'],
    quote: '坚持知行合一、工学结合',
    tags: ['产教融合'],
    note: '',
    author: wang,
  });
  const s1 = makeAnnotation({
    id: 's-12',
    documentKey: s,
    clausePath: ['三、', '12.'],
    quote: '深化“双减”工作，持续规范校外培训',
    tags: ['双减'],
    note: '<script>alert("x")</script> 注意：**不是**加粗 [链接](javascript:alert(1)) & <b>标签</b>',
    author: li,
  });
  const s2 = makeAnnotation({
    id: 's-2',
    documentKey: s,
    clausePath: ['一、', '2.'],
    quote: '加强教育系统党的领导和党的建设',
    tags: ['党建'],
    note: '报送材料时引用此条。',
    author: zhang,
  });
  const s10 = makeAnnotation({
    id: 's-10',
    documentKey: s,
    clausePath: ['二、', '10.'],
    quote: '# 不是标题\n> 不是引用\n1. 不是列表 | 不是表格 |',
    tags: ['双减'],
    note: '原文此段已调整。',
    author: wang,
  });
  const p12 = makeAnnotation({
    id: 'p-12',
    documentKey: p,
    clausePath: ['第一章', '第十二条'],
    quote: '人民检察院办理刑事案件，应当严格遵守法定程序',
    tags: ['程序规范'],
    note: '第十二条与第二条对照阅读。',
  });
  const p2 = makeAnnotation({
    id: 'p-2',
    documentKey: p,
    clausePath: ['第一章', '第二条'],
    quote: '人民检察院在刑事诉讼中的任务',
    tags: ['程序规范'],
    note: '',
    author: li,
  });
  const privateNote = makeAnnotation({
    id: 'mine-private',
    documentKey: v,
    clausePath: ['一、', '（二）'],
    quote: '提高中等职业教育发展水平',
    tags: ['职业教育'],
    note: '个人备忘，不宜外传。',
    visibility: 'private',
    teamId: null,
  });
  const deleted = makeAnnotation({
    id: 'gone',
    documentKey: v,
    clausePath: ['一、', '（三）'],
    quote: '推进高等职业教育高质量发展',
    tags: ['职业教育'],
    note: '已删除的批注。',
    deleted: true,
  });
  const noMetadata = makeAnnotation({
    id: 'unknown-doc',
    documentKey: 'no-metadata-doc',
    clausePath: [],
    quote: '没有元数据的页面上的一段话',
    tags: ['其他'],
    note: '来源页面未识别出标题。',
  });
  return {
    annotations: [a1, a1reply, a2, a2same, a3, a4, s1, s2, s10, p12, p2, privateNote, deleted, noMetadata],
    documents: [vocational, suizhou, procuratorate],
    orphanId: s10.id,
    now: T0 + 3 * 86_400_000,
  };
}

/** English notes on an English notice, for the English variant. */
export function englishSample(): { annotations: Annotation[]; documents: DocumentInfo[]; now: number } {
  counter = 1000;
  const d = safetyZone.key;
  const people = [
    { id: 'u-smith', name: 'J. Smith' },
    { id: 'u-jones', name: 'A. Jones' },
  ];
  const annotations = [
    makeAnnotation({
      documentKey: d,
      clausePath: ['IV.'],
      quote:
        'The Captain of the Port San Francisco has determined that potential hazards associated with the fireworks display',
      tags: ['safety'],
      note: 'Check the 100-foot radius against our berth plan.',
      author: people[0],
    }),
    makeAnnotation({
      documentKey: d,
      clausePath: ['V.', 'A.'],
      quote: 'This rule has not been designated a "significant regulatory action"',
      tags: ['regulatory'],
      note: '',
      author: people[1],
    }),
    makeAnnotation({
      documentKey: d,
      clausePath: ['II.'],
      quote: 'The Coast Guard is issuing this rule without prior notice',
      tags: ['safety'],
      note: 'Short notice again: raise at the next port meeting.',
      author: people[1],
    }),
  ];
  return { annotations, documents: [safetyZone], now: T0 };
}

const TAGS = ['财政资金', '人才培养', '产教融合', '证书制度', '督导评估', '数字化', '安全生产', '营商环境'];
const LABELS = ['一、', '二、', '三、', '四、', '五、', '六、', '七、', '八、', '九、', '十、', '十一、', '十二、'];
const SUB = ['（一）', '（二）', '（三）', '（四）', '（五）', '（六）', '（七）', '（八）', '（九）', '（十）'];
const PEOPLE = Array.from({ length: 12 }, (_, i) => ({ id: `u${i}`, name: `同志${i + 1}` }));

/** `count` annotations spread over `documentCount` documents, deterministic, about one in five a reply. */
export function generatedData(
  count: number,
  documentCount: number,
): { annotations: Annotation[]; documents: DocumentInfo[]; now: number } {
  const documents = Array.from({ length: documentCount }, (_, i) =>
    documentFor(`https://www.gov.cn/zhengce/content/2024-0${(i % 9) + 1}/${10 + i}/content_${5_000_000 + i}.htm`, {
      title: `关于推进第${i + 1}项重点工作的实施意见`,
      issuer: '国务院办公厅',
      docNumber: `国办发〔2024〕${i + 1}号`,
      publishedAt: `2024-0${(i % 9) + 1}-${10 + (i % 18)}`,
      language: 'zh-CN',
      readAt: T0,
    }),
  );
  const annotations: Annotation[] = [];
  let highlights = 0;
  for (let i = 0; i < count; i++) {
    const parent = i % 5 === 4 ? annotations[i - 1] : undefined;
    const document = documents[parent ? 0 : highlights++ % documentCount]!;
    const path = [LABELS[(i * 7) % LABELS.length]!, SUB[(i * 3) % SUB.length]!];
    const quote =
      parent?.quote ??
      `第${i}段：各地区各部门要结合实际，抓好${TAGS[i % TAGS.length]}相关工作的贯彻落实，确保政策落地见效。`;
    annotations.push(
      parseAnnotation({
        id: `g${i}`,
        documentKey: parent?.documentKey ?? document.key,
        teamId: 'team-1',
        selectors: [
          { type: 'TextQuoteSelector', exact: quote },
          { type: 'TextPositionSelector', start: i * 50, end: i * 50 + quote.length },
          { type: 'ClauseSelector', path: parent?.clausePath ?? path, hash: `h${i}` },
        ],
        clausePath: parent?.clausePath ?? path,
        quote,
        tags: parent ? [] : [TAGS[i % TAGS.length]!, ...(i % 3 === 0 ? [TAGS[(i + 3) % TAGS.length]!] : [])],
        note: `第${i}条批注：建议结合本地区实际细化措施，明确责任单位和完成时限。`,
        color: 'yellow',
        author: PEOPLE[i % PEOPLE.length]!,
        visibility: 'team',
        replyTo: parent?.id ?? null,
        createdAt: T0 + i * 1_000,
        updatedAt: T0 + i * 1_000,
        deleted: false,
      }),
    );
  }
  return { annotations, documents, now: T0 + count * 1_000 };
}
