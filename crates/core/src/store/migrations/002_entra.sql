-- Names this data directory's entries in the OS keychain, so two organizations on one
-- machine (or two test runs) never share a secret.
CREATE TABLE installation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    keychain_id TEXT NOT NULL
);
INSERT INTO installation (id, keychain_id) VALUES (1, lower(hex(randomblob(16))));

-- The client secret is not here: it lives only in the OS keychain (R-E3).
CREATE TABLE entra_connection (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    tenant            TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    cloud             TEXT NOT NULL CHECK (cloud IN ('global', 'usgov', 'usgov_dod', 'china', 'custom')),
    login_url         TEXT NOT NULL,
    graph_url         TEXT NOT NULL,
    secret_expires_on TEXT,
    connected_at      TEXT NOT NULL,
    connected_by      TEXT NOT NULL
);

CREATE TABLE deprovision_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    auto_deprovision INTEGER NOT NULL DEFAULT 0 CHECK (auto_deprovision IN (0, 1)),
    -- When the toggle was last saved on: the first automatic run is the next window after it.
    enabled_at       TEXT,
    guard_min_users  INTEGER NOT NULL DEFAULT 5 CHECK (guard_min_users >= 0),
    guard_percent    INTEGER NOT NULL DEFAULT 20 CHECK (guard_percent BETWEEN 0 AND 100)
);
INSERT INTO deprovision_settings (id) VALUES (1);

-- Where the next incremental (delta) read of Entra starts.
CREATE TABLE entra_delta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    delta_link TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The last state Entra reported for each linked account, kept current by delta reads.
CREATE TABLE entra_accounts (
    object_id   TEXT PRIMARY KEY COLLATE NOCASE,
    state       TEXT NOT NULL CHECK (state IN ('enabled', 'disabled', 'deleted')),
    observed_at TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    trigger         TEXT NOT NULL CHECK (trigger IN ('scheduled', 'catch-up', 'manual', 'tray', 'cli')),
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
    applies_run_id  INTEGER REFERENCES sync_runs (id)
);
CREATE INDEX sync_runs_trigger ON sync_runs (trigger, started_at);

CREATE TABLE sync_run_lines (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES sync_runs (id),
    user_id         INTEGER REFERENCES users (id),
    email           TEXT NOT NULL,
    entra_object_id TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('deactivated', 'would_deactivate', 'held', 'skipped_last_owner', 'enabled_again', 'error')),
    reason          TEXT CHECK (reason IN ('disabled_in_entra', 'deleted_from_entra')),
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_run_lines_run ON sync_run_lines (run_id);
