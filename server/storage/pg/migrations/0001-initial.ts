/** Teams, rooms with per-room seqs, the query index and client id owners. Never edit a released migration. */
export const name = 'initial';

export const sql = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  created_at BIGINT NOT NULL,
  removed_at BIGINT
);
CREATE INDEX members_team ON members(team_id);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  team_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX tokens_member ON tokens(member_id);
CREATE TABLE invites (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  code_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  max_uses INTEGER,
  uses INTEGER NOT NULL DEFAULT 0,
  expires_at BIGINT,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX invites_team ON invites(team_id);
CREATE INDEX invites_created_by ON invites(created_by);
CREATE TABLE tickets (
  hash TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL,
  member_id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  room TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
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

CREATE TABLE index_rooms (room TEXT PRIMARY KEY, team_id TEXT NOT NULL, through BIGINT NOT NULL);
CREATE TABLE documents (
  room TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  document_key TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX documents_team ON documents(team_id);
CREATE TABLE annotations (
  room TEXT NOT NULL,
  id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  document_key TEXT NOT NULL,
  author_id TEXT NOT NULL,
  clause_key TEXT NOT NULL,
  search_text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (room, id)
);
CREATE INDEX annotations_team_updated ON annotations(team_id, updated_at, room, id);
CREATE INDEX annotations_team_document ON annotations(team_id, document_key);
CREATE TABLE annotation_tags (
  room TEXT NOT NULL,
  annotation_id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  deleted BOOLEAN NOT NULL,
  PRIMARY KEY (room, annotation_id, tag)
);
CREATE INDEX annotation_tags_team ON annotation_tags(team_id, tag);

CREATE TABLE client_owners (
  room TEXT NOT NULL,
  client BIGINT NOT NULL,
  member_id TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  PRIMARY KEY (room, client)
);
`;
