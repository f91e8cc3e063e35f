-- People from Entra ID: runs may add new enabled member accounts as Members (off by default).
ALTER TABLE deprovision_settings ADD COLUMN auto_add_users INTEGER NOT NULL DEFAULT 0
    CHECK (auto_add_users IN (0, 1));
-- When that was last turned on: accounts created in Entra from then on count as new.
ALTER TABLE deprovision_settings ADD COLUMN auto_add_since TEXT;
-- The $select a saved delta link was made with (Graph fixes it into the link). A link saved
-- with another selection (every link from before this version) is not followed: the next run
-- reads the tenant in full and starts a new link.
ALTER TABLE entra_delta ADD COLUMN fields TEXT NOT NULL DEFAULT '';
-- Who a run added from Entra, or linked to their Entra account by address.
ALTER TABLE sync_runs ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN linked INTEGER NOT NULL DEFAULT 0;

-- New per-user outcomes: people added or linked from Entra (or, in a dry run, who would be).
CREATE TABLE sync_run_lines_new (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES sync_runs (id),
    user_id         INTEGER REFERENCES users (id),
    email           TEXT NOT NULL,
    entra_object_id TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('deactivated', 'would_deactivate', 'held',
                        'skipped_last_owner', 'skipped_protected', 'other_tenant', 'enabled_again', 'error',
                        'added', 'linked', 'would_add', 'would_link')),
    reason          TEXT CHECK (reason IN ('disabled_in_entra', 'deleted_from_entra')),
    detail          TEXT NOT NULL DEFAULT ''
);
INSERT INTO sync_run_lines_new SELECT id, run_id, user_id, email, entra_object_id, outcome, reason, detail
    FROM sync_run_lines;
DROP TABLE sync_run_lines;
ALTER TABLE sync_run_lines_new RENAME TO sync_run_lines;
CREATE INDEX sync_run_lines_run ON sync_run_lines (run_id);
