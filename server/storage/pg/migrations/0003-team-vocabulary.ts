/**
 * The team room's vocabulary in the query index: tag renames (with the tag each reads as, resolved when the
 * renames change) and units, as SQLite keeps them. Never edit a released migration.
 */
export const name = 'team-vocabulary';

export const sql = `
CREATE TABLE team_tag_renames (
  team_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  to_tag TEXT NOT NULL,
  resolved TEXT NOT NULL,
  PRIMARY KEY (team_id, tag)
);
CREATE TABLE team_units (team_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (team_id, id));
`;
