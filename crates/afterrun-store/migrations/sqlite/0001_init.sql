-- afterrun store, SQLite schema 1. Times are Unix seconds (UTC); JSON documents are TEXT.

CREATE TABLE athletes (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    profile     TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE activities (
    id                INTEGER PRIMARY KEY,
    athlete_id        INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    sha256            TEXT    NOT NULL,
    format            TEXT    NOT NULL,
    sport             TEXT    NOT NULL,
    sub_sport         TEXT,
    start_time        INTEGER,
    end_time          INTEGER,
    elapsed_s         REAL,
    timer_s           REAL,
    distance_m        REAL,
    records           INTEGER NOT NULL,
    avg_hr            REAL,
    max_hr            REAL,
    ascent_m          REAL,
    descent_m         REAL,
    laps              INTEGER,
    summary           TEXT    NOT NULL,
    stress            REAL,
    stress_kind       TEXT,
    muscle_load       TEXT,
    original          BLOB    NOT NULL,
    original_encoding TEXT    NOT NULL,
    original_size     INTEGER NOT NULL,
    source            TEXT    NOT NULL,
    imported_at       INTEGER NOT NULL,
    UNIQUE (athlete_id, sha256)
);
CREATE INDEX activities_by_start ON activities (athlete_id, start_time);

CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    athlete_id  INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    now         INTEGER NOT NULL,
    checkin     TEXT    NOT NULL,
    saved_at    INTEGER NOT NULL
);
CREATE INDEX checkins_by_now ON checkins (athlete_id, now);

CREATE TABLE plans (
    id            INTEGER PRIMARY KEY,
    checkin_id    INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    plan          TEXT    NOT NULL,
    steps         INTEGER NOT NULL,
    generated_at  INTEGER NOT NULL
);
CREATE INDEX plans_by_checkin ON plans (checkin_id);

CREATE TABLE step_completions (
    plan_id  INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    step     INTEGER NOT NULL,
    done_at  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, step)
);

CREATE TABLE outcomes (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    muscle_group  TEXT    NOT NULL,
    reported      REAL    NOT NULL,
    forecast      REAL    NOT NULL,
    residual      REAL    NOT NULL,
    UNIQUE (plan_id, muscle_group)
);
