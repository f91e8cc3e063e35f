-- Protected accounts (break-glass, service): the sync reports them but never deactivates them.
ALTER TABLE users ADD COLUMN protected INTEGER NOT NULL DEFAULT 0 CHECK (protected IN (0, 1));
-- The tenant (its GUID, as Microsoft reports it) in which the Entra link was made; NULL for
-- links made before this was recorded or while not connected: the next run or connect adopts them.
ALTER TABLE users ADD COLUMN entra_tenant_id TEXT;
-- The connected tenant's GUID, learned from Microsoft at connect (the typed text may be a domain).
ALTER TABLE entra_connection ADD COLUMN tenant_id TEXT;
-- A run that has not finished after this long ends as failed and deactivates nobody.
ALTER TABLE deprovision_settings ADD COLUMN run_deadline_minutes INTEGER NOT NULL DEFAULT 30
    CHECK (run_deadline_minutes BETWEEN 1 AND 1440);

-- New per-user outcomes: protected accounts and links made in another tenant.
CREATE TABLE sync_run_lines_new (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES sync_runs (id),
    user_id         INTEGER REFERENCES users (id),
    email           TEXT NOT NULL,
    entra_object_id TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('deactivated', 'would_deactivate', 'held',
                        'skipped_last_owner', 'skipped_protected', 'other_tenant', 'enabled_again', 'error')),
    reason          TEXT CHECK (reason IN ('disabled_in_entra', 'deleted_from_entra')),
    detail          TEXT NOT NULL DEFAULT ''
);
INSERT INTO sync_run_lines_new SELECT id, run_id, user_id, email, entra_object_id, outcome, reason, detail
    FROM sync_run_lines;
DROP TABLE sync_run_lines;
ALTER TABLE sync_run_lines_new RENAME TO sync_run_lines;
CREATE INDEX sync_run_lines_run ON sync_run_lines (run_id);

-- Accounts Entra neither has nor lists among its deleted items. A passing "not found" must
-- not deactivate anyone: only an account still missing at a later run counts as deleted.
CREATE TABLE entra_missing (
    object_id        TEXT PRIMARY KEY COLLATE NOCASE,
    first_missing_at TEXT NOT NULL
);
