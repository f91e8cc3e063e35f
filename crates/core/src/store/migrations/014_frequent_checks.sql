-- Issue 15: frequent checks for leavers between the nightly runs (off by default).
-- Minutes between checks while UniAsset runs; NULL: off.
ALTER TABLE deprovision_settings ADD COLUMN check_every_minutes INTEGER
    CHECK (check_every_minutes BETWEEN 5 AND 60);

-- What the latest check found, kept here rather than in the history: a check that finds
-- nothing new writes no run. Strikes count checks in a row that failed or were throttled;
-- enough of them pause the checks until the next nightly run succeeds.
CREATE TABLE frequent_checks (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    last_checked_at  TEXT,
    -- The run the latest check stored (it acted or failed); NULL when it found nothing new.
    last_run_id      INTEGER,
    strikes          INTEGER NOT NULL DEFAULT 0,
    -- Set while the checks are paused: why, in words.
    paused_reason    TEXT
);
INSERT INTO frequent_checks (id) VALUES (1);

-- Whether a user is the last active Owner is asked at every deactivation: without an index
-- that is a scan of every user, for each leaver.
CREATE INDEX users_role_status ON users (role, status);

-- The new trigger 'interval'. SQLite cannot change a CHECK in place, and sync_runs is the
-- parent of sync_run_lines (and of itself): with foreign keys deferred, the rows are copied
-- out, the table made again and the rows put back, which satisfies every child row again
-- before the migration commits.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE sync_runs_copy AS SELECT * FROM sync_runs;
DROP TABLE sync_runs;
CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    trigger         TEXT NOT NULL CHECK (trigger IN ('scheduled', 'catch-up', 'manual', 'tray', 'cli', 'interval')),
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    result          TEXT NOT NULL CHECK (result IN ('running', 'succeeded', 'completed_with_errors', 'failed', 'held_for_review')),
    checked         INTEGER NOT NULL DEFAULT 0,
    disabled_found  INTEGER NOT NULL DEFAULT 0,
    deleted_found   INTEGER NOT NULL DEFAULT 0,
    deactivated     INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    errors          INTEGER NOT NULL DEFAULT 0,
    error_text      TEXT,
    graph_requests  INTEGER NOT NULL DEFAULT 0,
    started_by      TEXT NOT NULL,
    -- Held runs wait for an Owner or Admin to apply or dismiss them.
    review          TEXT CHECK (review IN ('pending', 'applied', 'dismissed')),
    reviewed_by     TEXT,
    reviewed_at     TEXT,
    applies_run_id  INTEGER REFERENCES sync_runs (id),
    added           INTEGER NOT NULL DEFAULT 0,
    linked          INTEGER NOT NULL DEFAULT 0,
    secret_notice   TEXT
);
INSERT INTO sync_runs SELECT * FROM sync_runs_copy ORDER BY id;
DROP TABLE sync_runs_copy;
CREATE INDEX sync_runs_trigger ON sync_runs (trigger, started_at);

-- Linked accounts no run has read yet (a new link, or a state forgotten after an error).
-- A frequent check that finds no change must still read these, and finding them by
-- comparing every user with every account read would cost a scan of both: the triggers
-- keep the list as links are made, and the sync empties it as it reads them.
CREATE TABLE entra_unread (object_id TEXT PRIMARY KEY COLLATE NOCASE);
INSERT OR IGNORE INTO entra_unread
    SELECT u.entra_object_id FROM users u
    WHERE u.entra_object_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM entra_accounts a WHERE a.object_id = u.entra_object_id);
CREATE TRIGGER users_linked_unread AFTER INSERT ON users WHEN NEW.entra_object_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO entra_unread (object_id) VALUES (NEW.entra_object_id);
END;
CREATE TRIGGER users_relinked_unread AFTER UPDATE OF entra_object_id ON users
WHEN NEW.entra_object_id IS NOT NULL AND NEW.entra_object_id IS NOT OLD.entra_object_id
BEGIN
    INSERT OR IGNORE INTO entra_unread (object_id) VALUES (NEW.entra_object_id);
END;
-- Accounts read as disabled or deleted are few: a check finds the active users among them
-- without reading every account.
CREATE INDEX entra_accounts_not_enabled ON entra_accounts (object_id) WHERE state <> 'enabled';
