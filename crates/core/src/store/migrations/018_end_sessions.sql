-- Issue 25: ending a leaver's Microsoft sessions (revokeSignInSessions). On from
-- end_sessions_since (NULL: off); each deactivation's outcome is kept per person, for the
-- deactivation it answers; a run's line shows the outcome for its leaver. The application
-- permissions UniAsset's token carried when last seen say what is granted.
ALTER TABLE deprovision_settings ADD COLUMN end_sessions_since TEXT;
CREATE TABLE entra_session_ends (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id),
    deactivated_at TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('ended', 'nothing_to_end', 'refused', 'failed')),
    attempted_at   TEXT NOT NULL,
    ended_at       TEXT,
    detail         TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 1
);
ALTER TABLE sync_run_lines ADD COLUMN sessions_outcome TEXT;
ALTER TABLE sync_run_lines ADD COLUMN sessions_at TEXT;
ALTER TABLE entra_connection ADD COLUMN granted_roles TEXT;
