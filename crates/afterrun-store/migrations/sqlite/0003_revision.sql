-- afterrun store, SQLite schema 3: one revision number that every change to the athlete data
-- bumps (in the writing transaction, by triggers), so a server can cache what it computed
-- from the data and know with one read whether it is still current.

CREATE TABLE revision (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TRIGGER athletes_insert_revision AFTER INSERT ON athletes
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER athletes_update_revision AFTER UPDATE ON athletes
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER athletes_delete_revision AFTER DELETE ON athletes
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER activities_insert_revision AFTER INSERT ON activities
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER activities_update_revision AFTER UPDATE ON activities
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER activities_delete_revision AFTER DELETE ON activities
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER checkins_insert_revision AFTER INSERT ON checkins
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER checkins_update_revision AFTER UPDATE ON checkins
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER checkins_delete_revision AFTER DELETE ON checkins
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER plans_insert_revision AFTER INSERT ON plans
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER plans_update_revision AFTER UPDATE ON plans
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER plans_delete_revision AFTER DELETE ON plans
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER step_completions_insert_revision AFTER INSERT ON step_completions
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER step_completions_update_revision AFTER UPDATE ON step_completions
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER step_completions_delete_revision AFTER DELETE ON step_completions
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER outcomes_insert_revision AFTER INSERT ON outcomes
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER outcomes_update_revision AFTER UPDATE ON outcomes
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER outcomes_delete_revision AFTER DELETE ON outcomes
BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END;
