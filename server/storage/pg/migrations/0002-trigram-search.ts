/**
 * The text filter of the query index: a trigram index (pg_trgm, trusted since PostgreSQL 13, so the database
 * owner may create it) serves LIKE '%text%' over the folded quote and note, as FTS5's trigram tokenizer does on
 * SQLite. Never edit a released migration.
 */
export const name = 'trigram-search';

export const sql = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX annotations_search ON annotations USING gin (search_text gin_trgm_ops);
`;
