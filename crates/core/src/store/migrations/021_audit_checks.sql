-- Issue 25: the app verifies the audit trail's hash chain once a day; the latest verdict is
-- kept for Home (one row).
CREATE TABLE audit_checks (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL,
    entries    INTEGER,
    head       TEXT,
    broken     TEXT
);
