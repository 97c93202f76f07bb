/** Deterministic benchmark data that looks like policy notices: Chinese (and some English) quotes, notes, tags. */
import type { Annotation, DocumentInfo } from '../../shared/model/annotation.ts';

/** The Chromium run's database (the suite fills it, the panel page reads it). */
export const BENCH_DATABASE = 'pizhu-bench';

const PHRASES = [
  '加强义务教育阶段学生体育锻炼',
  '促进学生身心健康全面发展',
  '深化职业教育改革',
  '推进产教融合校企合作',
  '落实安全生产责任制',
  '健全应急管理体系',
  '完善粮食应急保障机制',
  '规范政府和社会资本合作PPP项目',
  '优化营商环境',
  '减轻中小微企业税收负担',
  '个人所得税专项附加扣除',
  '子女教育支出按每个子女每月1000元定额扣除',
  '继续教育支出',
  '大病医疗支出',
  '住房贷款利息支出',
  '住房租金支出',
  '赡养老人支出',
  '加快科技成果转化',
  '支持高新技术企业研发投入',
  '推动新媒体融合发展',
  '加强网络信息内容管理',
  '严格执行检察机关办案规则',
  '依法保障犯罪嫌疑人诉讼权利',
  '建立健全监督制约机制',
  '加大财政投入力度',
  '各地区各部门要高度重视',
  '认真组织实施',
  '确保各项任务落到实处',
  '定期开展督促检查',
  '及时总结推广经验',
  '提高公共服务水平',
  '推进基本公共服务均等化',
  '加强基层治理',
  '完善社会保障体系',
  '促进就业创业',
  '加强生态环境保护',
  '推动绿色低碳发展',
  '实施乡村振兴战略',
  '巩固脱贫攻坚成果',
  '加强人才队伍建设',
];
const ENGLISH = [
  'safety zone',
  'navigable waters',
  'Coast Guard',
  'vessels',
  'Captain of the Port',
  'enforcement period',
  'temporary final rule',
  'regulated area',
  'public comment',
  'notice of proposed rulemaking',
  'fireworks display',
  'within a 500-yard radius',
  'persons and vessels are prohibited',
  'unless authorized',
  'designated representative',
  'federal register',
  'small entities',
  'environmental impact',
  'paperwork reduction',
  'marine event',
];
const NOTES = [
  '重点关注',
  '需与财政局协调',
  '下周例会讨论',
  '与去年文件对比有变化',
  '落实到各区县',
  '待核实数据',
  'follow up with legal',
  'compare with 2023 rule',
];
export const TAGS = Array.from({ length: 200 }, (_, i) =>
  i < 40
    ? ['体育', '教育', '安全生产', '财税', '应急', '科技', '就业', '社保', '环保', '乡村振兴'][i % 10]! +
      (i < 10 ? '' : `-${i}`)
    : `专题${i}`,
);

/** The queries the benchmark times (Chinese words, phrases and a single character; English; mixed; two terms). */
export const SEARCHES = [
  '教育',
  '身心健康',
  '税',
  '个人所得税专项附加扣除',
  'PPP项目',
  '安全 应急',
  'safety',
  'safety zone',
  'vessel',
];

export function makeData(
  count: number,
  documentCount: number,
): { annotations: Annotation[]; documents: DocumentInfo[] } {
  let seed = 20231129;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // Zipf-ish: low indexes far more often, as real tags and phrases are.
  const pickSkewed = <T>(items: readonly T[]): T => items[Math.floor(items.length * random() ** 2.2)]!;

  const documents: DocumentInfo[] = [];
  for (let d = 0; d < documentCount; d++) {
    const url = `https://www.example.gov.cn/zhengce/content/2023-${String((d % 12) + 1).padStart(2, '0')}/t${20230000 + d}.htm`;
    documents.push({
      key: `doc${d}`,
      canonicalUrl: url.replace('https://www.', ''),
      url,
      title: `关于印发第${d}号文件的通知`,
      language: d % 10 === 0 ? 'en' : 'zh',
    });
  }
  const annotations: Annotation[] = [];
  for (let i = 0; i < count; i++) {
    const d = i % documentCount;
    const english = d % 10 === 0;
    const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      english ? pick(ENGLISH) : pickSkewed(PHRASES),
    );
    const quote = english ? `${parts.join(', ')}.` : `${parts.join('，')}。`;
    const tags = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pickSkewed(TAGS)))];
    // One every ten minutes: 100,000 annotations span about two years, so date filters select a realistic share.
    const at = 1_690_000_000_000 + i * 600_000;
    annotations.push({
      id: `ann-${i.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`,
      documentKey: `doc${d}`,
      teamId: 'team1',
      selectors: [{ type: 'TextQuoteSelector', exact: quote }],
      clausePath: english ? [`(${(i % 7) + 1})`] : [`${'一二三四五六'[i % 6]}、`, `${(i % 9) + 1}.`],
      quote,
      tags,
      note: random() < 0.3 ? pick(NOTES) : '',
      color: pick(['yellow', 'green', 'blue', 'pink', 'purple'] as const),
      author: { id: `m${i % 25}`, name: `成员${i % 25}` },
      visibility: 'team',
      replyTo: null,
      createdAt: at,
      updatedAt: at,
      deleted: false,
    });
  }
  return { annotations, documents };
}
