-- afterrun store, PostgreSQL schema 3: one revision number that every change to the athlete
-- data bumps (in the writing transaction, by statement triggers), so a server can cache what it
-- computed from the data and know with one read whether it is still current. The row is
-- updated in the writer's transaction: a reader never sees a new revision before its data.

CREATE TABLE revision (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  BIGINT  NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revision SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER athletes_revision AFTER INSERT OR UPDATE OR DELETE ON athletes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
CREATE TRIGGER activities_revision AFTER INSERT OR UPDATE OR DELETE ON activities
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
CREATE TRIGGER checkins_revision AFTER INSERT OR UPDATE OR DELETE ON checkins
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
CREATE TRIGGER plans_revision AFTER INSERT OR UPDATE OR DELETE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
CREATE TRIGGER step_completions_revision AFTER INSERT OR UPDATE OR DELETE ON step_completions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
CREATE TRIGGER outcomes_revision AFTER INSERT OR UPDATE OR DELETE ON outcomes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision();
