-- afterrun store, SQLite schema 7: the owner's own devices on the home network (`serve --lan`).
-- A pairing link is one-time and short-lived; a paired device is known by its cookie's token.
-- Only the SHA-256 of either token is kept, as for sessions: a copy of these tables pairs nothing.

-- used_at is set once, in the transaction that pairs the device.
CREATE TABLE pairing_links (
    token_hash  TEXT    PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- name is what the device's browser said it is (`Safari on iPhone`), for the profile page's list;
-- revoking a device deletes its row.
CREATE TABLE paired_devices (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    paired_at   INTEGER NOT NULL
);
