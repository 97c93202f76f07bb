/**
 * The local-first store: everything the extension knows lives in IndexedDB through Dexie. The tables and each
 * version's stores are in schema.ts, upgrades in migrations.ts. Only the background writes (through
 * AnnotationStore); extension pages read through the query module (queries.ts).
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { upgradeToV2, upgradeToV3, upgradeToV6 } from './migrations.ts';
import {
  type AuthorRow,
  type DocumentStatsRow,
  type ProgressRow,
  type QuarantineRow,
  type RoomStateRow,
  type RoomUpdateRow,
  SCHEMA_V1,
  SCHEMA_V2,
  SCHEMA_V3,
  SCHEMA_V4,
  SCHEMA_V5,
  SCHEMA_V6,
  type SearchEntryRow,
  type SearchTermRow,
  type SettingRow,
  type SnapshotRow,
  type SyncStateRow,
  type TagRenameRow,
  type TagRow,
  type TaskRow,
  type TeamRow,
  type UnitRow,
  type VersionRow,
} from './schema.ts';

export class PizhuDatabase extends Dexie {
  annotations!: EntityTable<Annotation, 'id'>;
  documents!: EntityTable<DocumentInfo, 'key'>;
  roomUpdates!: EntityTable<RoomUpdateRow, 'seq'>;
  rooms!: EntityTable<RoomStateRow, 'room'>;
  settings!: EntityTable<SettingRow, 'key'>;
  teams!: EntityTable<TeamRow, 'teamId'>;
  tags!: Table<TagRow, string>;
  documentStats!: Table<DocumentStatsRow, string>;
  authors!: Table<AuthorRow, string>;
  searchTerms!: Table<SearchTermRow, [string, number]>;
  searchEntries!: Table<SearchEntryRow, number>;
  syncState!: EntityTable<SyncStateRow, 'teamId'>;
  quarantine!: EntityTable<QuarantineRow, 'id'>;
  tasks!: Table<TaskRow, [string, string]>;
  progress!: Table<ProgressRow, [string, string]>;
  versions!: Table<VersionRow, [string, string]>;
  snapshots!: Table<SnapshotRow, [string, string]>;
  tagRenames!: Table<TagRenameRow, string>;
  units!: Table<UnitRow, string>;

  constructor(name = 'pizhu', options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA_V2).upgrade(upgradeToV2);
    this.version(3).stores(SCHEMA_V3).upgrade(upgradeToV3);
    // versions 4 and 5 add tables only: nothing to upgrade
    this.version(4).stores(SCHEMA_V4);
    this.version(5).stores(SCHEMA_V5);
    this.version(6).stores(SCHEMA_V6).upgrade(upgradeToV6);
  }
}
