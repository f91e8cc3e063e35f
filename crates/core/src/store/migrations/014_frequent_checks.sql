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
    last_run_id      INTEGER,
    last_failed      INTEGER NOT NULL DEFAULT 0 CHECK (last_failed IN (0, 1)),
    strikes          INTEGER NOT NULL DEFAULT 0,
    paused_at        TEXT,
    paused_reason    TEXT
);
INSERT INTO frequent_checks (id) VALUES (1);

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
