-- afterrun store, SQLite schema 2: accounts, sessions, coach links and login failures for the
-- multi-user server. Times are Unix seconds (UTC).

-- An athlete account owns exactly one athlete row (created with it, named by the username);
-- a coach account owns none.
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('athlete', 'coach')),
    athlete_id     INTEGER UNIQUE REFERENCES athletes(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    CHECK ((role = 'athlete') = (athlete_id IS NOT NULL))
);

-- Only the SHA-256 of a session token is kept: a copy of the table logs nobody in.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE coach_links (
    athlete_id        INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    coach_account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (athlete_id, coach_account_id)
);
CREATE INDEX coach_links_by_coach ON coach_links (coach_account_id);

-- Failed logins, kept in the database so that every server instance sees the same count.
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY,
    username  TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures (username, at);
