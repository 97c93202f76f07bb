/**
 * Reads a policy page's metadata: title, issuing body, document number and date, from the portal's metadata
 * block (labelled cells such as 发文机关 / 发文字号 / 成文日期), its <meta> tags, or the text at the top of the
 * body. DOM only: runs in a content script and under happy-dom.
 */
export type PageMetadata = {
  title: string;
  issuer?: string;
  docNumber?: string;
  publishedAt?: string;
  language?: string;
};

/** Labels as printed in metadata blocks (spaces and colons removed before matching). */
const FIELD_LABELS: Record<keyof Omit<PageMetadata, 'language'>, string[]> = {
  title: ['标题', '名称', '文件名称'],
  issuer: ['发文机关', '发布机构', '发文单位', '制发机关', '发布机关', '信息来源', '来源'],
  docNumber: ['发文字号', '文号', '发文号'],
  // The document's own date (成文日期) beats the portal's publication date, which gov.cn back-filled.
  publishedAt: ['成文日期', '发文日期', '印发日期', '发布日期', '公开日期'],
};

const META_NAMES: Record<keyof Omit<PageMetadata, 'language'>, string[]> = {
  title: ['ArticleTitle', 'og:title', 'dc.title', 'citation_title'],
  issuer: ['ContentSource', 'dc.publisher', 'citation_publisher'],
  docNumber: ['DocNumber', 'citation_technical_report_number'],
  publishedAt: ['PubDate', 'dc.date', 'article:published_time', 'citation_date'],
};

const DOC_NUMBER = /[\u4e00-\u9fa5A-Za-z]{1,20}[〔［[(（]\d{4}[〕］\])）]\s*\d{1,5}\s*号/u;
const FR_DOC_NUMBER = /FR Doc\.?\s*\d{4}[–-]\d+/;

function clean(text: string | null | undefined): string {
  return (text ?? '').replace(/[\s\u00a0\u3000]+/gu, ' ').trim();
}

function labelKey(text: string): string {
  return text.replace(/[\s\u00a0\u3000:：]/gu, '');
}

function readMeta(doc: Document, names: string[]): string | undefined {
  for (const name of names) {
    const element = doc.querySelector(`meta[name="${name}" i], meta[property="${name}" i]`);
    const value = clean(element?.getAttribute('content'));
    if (value) return value;
  }
  return undefined;
}

/** Finds "label：value" pairs in table cells, definition lists and labelled spans. */
function readLabelledFields(doc: Document): Map<string, string> {
  const fields = new Map<string, string>();
  const labels = doc.querySelectorAll('td, th, dt, span, b, strong, label');
  const known = new Set(Object.values(FIELD_LABELS).flat());
  for (const label of labels) {
    const text = clean(label.textContent);
    if (text.length > 12) continue;
    const key = labelKey(text);
    if (!known.has(key) || fields.has(key)) continue;
    const value = clean(label.nextElementSibling?.textContent);
    if (value && value.length <= 200) fields.set(key, value);
  }
  return fields;
}

function normaliseDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const chinese = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/u.exec(text);
  const iso = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(text);
  const match = chinese ?? iso;
  if (!match) return clean(text).slice(0, 40) || undefined;
  return `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
}

/** "通知_科技、教育_中国政府网" → "通知"; "Federal Register :: Safety Zone" → "Safety Zone". */
function titleFromDocumentTitle(raw: string): string {
  const title = clean(raw);
  const afterSite = title.includes('::') ? title.split('::').pop()! : title;
  return clean(afterSite.split(/\s*[_|]\s*/u)[0]) || title;
}

export function readPageMetadata(doc: Document, bodyText = ''): PageMetadata {
  const fields = readLabelledFields(doc);
  const pick = (field: keyof typeof FIELD_LABELS): string | undefined => {
    for (const label of FIELD_LABELS[field]) {
      const value = fields.get(label);
      if (value) return value;
    }
    return readMeta(doc, META_NAMES[field]);
  };
  const top = bodyText.slice(0, 2_000);
  const metadata: PageMetadata = {
    title: pick('title') || clean(doc.querySelector('h1')?.textContent) || titleFromDocumentTitle(doc.title),
  };
  const issuer = pick('issuer');
  const docNumber =
    pick('docNumber') ??
    DOC_NUMBER.exec(top)?.[0] ??
    FR_DOC_NUMBER.exec(doc.body?.textContent?.slice(0, 5_000) ?? '')?.[0];
  const publishedAt = normaliseDate(pick('publishedAt'));
  const language = doc.documentElement.getAttribute('lang') || undefined;
  if (issuer) metadata.issuer = issuer;
  if (docNumber) metadata.docNumber = DOC_NUMBER.test(docNumber) ? docNumber.replace(/\s+/g, '') : clean(docNumber);
  if (publishedAt) metadata.publishedAt = publishedAt;
  if (language) metadata.language = language;
  return metadata;
}
