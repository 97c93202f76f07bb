/**
 * Teams and the query index (common-tables.ts, as on SQLite), rooms with per-room seqs and client id owners.
 * Never edit a released migration.
 */
import { indexTables, PG_TYPES, teamTables } from '../../common-tables.ts';

export const name = 'initial';

export const sql = `${teamTables(PG_TYPES)}CREATE INDEX invites_created_by ON invites(created_by);
CREATE INDEX tickets_expiry ON tickets(expires_at);

-- change_id: the id of the transaction of the room's last change (see pg-updates.ts on the change cursor).
CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  change_id BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  row_count INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  changed_at BIGINT NOT NULL
);
CREATE INDEX rooms_team_change ON rooms(team_id, change_id);
CREATE TABLE updates (
  id BIGSERIAL PRIMARY KEY,
  room TEXT NOT NULL,
  seq BIGINT NOT NULL,
  data BYTEA NOT NULL,
  state_vector BYTEA,
  delete_set BYTEA,
  checksum TEXT,
  UNIQUE (room, seq)
);
${indexTables(PG_TYPES)}
CREATE TABLE client_owners (
  room TEXT NOT NULL,
  client BIGINT NOT NULL,
  member_id TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  PRIMARY KEY (room, client)
);
`;
