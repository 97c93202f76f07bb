/** Shared test data for the store: fresh fake IndexedDB databases and valid annotations. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { PizhuDatabase } from '../../../extension/lib/store/db.ts';

let counter = 0;

/** Options that give Dexie its own empty fake IndexedDB. */
export function fakeIndexedDb(): { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange } {
  return { indexedDB: new IDBFactory(), IDBKeyRange };
}

export function freshDatabase(options = fakeIndexedDb()): PizhuDatabase {
  return new PizhuDatabase(`pizhu-test-${++counter}`, options);
}

export function annotation(overrides: Partial<Annotation> = {}): Annotation {
  const n = ++counter;
  const quote = overrides.quote ?? `第${n}条 加强义务教育阶段学生体育锻炼`;
  return {
    id: `a${n}`,
    documentKey: 'doc1',
    teamId: null,
    selectors: [{ type: 'TextQuoteSelector', exact: quote }],
    clausePath: ['二、', '8.'],
    quote,
    tags: [],
    note: '',
    color: 'yellow',
    author: { id: 'm1', name: '张伟' },
    visibility: 'private',
    replyTo: null,
    createdAt: 1_700_000_000_000 + n,
    updatedAt: 1_700_000_000_000 + n,
    deleted: false,
    ...overrides,
  };
}

export function documentInfo(overrides: Partial<DocumentInfo> = {}): DocumentInfo {
  return {
    key: 'doc1',
    canonicalUrl: 'example.gov.cn/notice/1',
    url: 'https://example.gov.cn/notice/1',
    title: '关于印发2023年工作要点的通知',
    ...overrides,
  };
}
