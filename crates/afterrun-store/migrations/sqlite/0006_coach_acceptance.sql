-- afterrun store, SQLite schema 6: a coach link takes effect when the coach accepts it
-- (accepted_at); until then it is a request the coach sees. Links made before stay in effect.
ALTER TABLE coach_links ADD COLUMN accepted_at INTEGER;
UPDATE coach_links SET accepted_at = created_at;
