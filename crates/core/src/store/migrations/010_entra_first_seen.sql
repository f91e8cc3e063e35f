-- When the sync first saw a linked, active user disabled or deleted in Entra (issue 11's
-- deprovisioning evidence): a held run and a dry run count as seeing it. A new state starts
-- a new first sighting; seeing the account enabled again clears it; deactivating the user
-- moves it onto that run's line.
CREATE TABLE entra_changes_seen (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    state         TEXT NOT NULL CHECK (state IN ('disabled', 'deleted')),
    first_seen_at TEXT NOT NULL,
    run_id        INTEGER
);

-- What a run's line says for the evidence and the notification: the person's name, when
-- the sync first saw the change behind a deactivation, and how many assets they still held.
ALTER TABLE sync_run_lines ADD COLUMN display_name TEXT;
ALTER TABLE sync_run_lines ADD COLUMN detected_at TEXT;
ALTER TABLE sync_run_lines ADD COLUMN assets_to_recover INTEGER NOT NULL DEFAULT 0
    CHECK (assets_to_recover >= 0);
