-- Issue 25: "Check now" on one person is a run of its own, trigger 'person'. As in 014,
-- SQLite cannot change a CHECK in place: with foreign keys deferred, the rows are copied
-- out, the table made again and the rows put back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE sync_runs_copy AS SELECT * FROM sync_runs;
DROP TABLE sync_runs;
CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    trigger         TEXT NOT NULL CHECK (trigger IN ('scheduled', 'catch-up', 'manual', 'tray', 'cli', 'interval', 'person')),
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
