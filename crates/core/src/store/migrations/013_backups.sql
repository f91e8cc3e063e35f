-- Issue 14: backups of the organization to a folder the owner chooses. The passphrase of
-- encrypted backups is not here: it lives only in the OS keychain.
CREATE TABLE backup_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    -- NULL: the default folder ("UniAsset Backups" in the Documents folder).
    folder         TEXT,
    automatic      INTEGER NOT NULL DEFAULT 1 CHECK (automatic IN (0, 1)),
    keep_daily     INTEGER NOT NULL DEFAULT 7 CHECK (keep_daily BETWEEN 1 AND 60),
    keep_weekly    INTEGER NOT NULL DEFAULT 4 CHECK (keep_weekly BETWEEN 0 AND 52),
    encrypted      INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
    -- The last copy written and checked, and the last failure, for the window and the tray.
    last_good_at   TEXT,
    last_good_file TEXT,
    last_good_size INTEGER,
    last_error     TEXT,
    last_error_at  TEXT
);
INSERT INTO backup_settings (id) VALUES (1);

-- The client secret is never in a backup: a connection restored where the keychain lacks it
-- waits for the secret (connect, or Set it up for me), and automatic runs stay off until then.
ALTER TABLE entra_connection ADD COLUMN secret_needed INTEGER NOT NULL DEFAULT 0 CHECK (secret_needed IN (0, 1));
