-- Idle sessions end (R-X2): when each session was last used, and how long the organization
-- lets one sit unused. Sessions open before this upgrade count as last used when they began.
ALTER TABLE sessions ADD COLUMN last_used_at TEXT;
UPDATE sessions SET last_used_at = created_at;
ALTER TABLE organization ADD COLUMN idle_timeout_minutes INTEGER NOT NULL DEFAULT 15
    CHECK (idle_timeout_minutes BETWEEN 1 AND 480);

-- Sign-in throttling (R-X2), by the email typed (whether or not such an account exists, so
-- a lockout tells nobody which addresses are real). `failures` counts wrong attempts since
-- the last lockout; `lockouts` in a row make the next one longer. A row is forgotten after
-- a day without failures, and at the next successful sign-in.
CREATE TABLE sign_in_failures (
    email          TEXT PRIMARY KEY COLLATE NOCASE,
    failures       INTEGER NOT NULL CHECK (failures >= 0),
    lockouts       INTEGER NOT NULL CHECK (lockouts >= 0),
    last_failed_at TEXT NOT NULL,
    locked_until   TEXT
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failed_at);
