-- afterrun store, PostgreSQL schema 5: one-time sign-up invitations (`serve --signup invite`),
-- made by a coach (created_by) or the operator (NULL). Only the SHA-256 of the invitation's
-- token is kept, as for sessions; used_at is set once, in the transaction that creates the
-- account.
CREATE TABLE invites (
    token_hash  TEXT    PRIMARY KEY,
    created_by  BIGINT  REFERENCES accounts(id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
