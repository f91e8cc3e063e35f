-- Issue 28: in-app updates. How this installation looks for new versions, and what the
-- latest check found (kept so the tray and General say "Update available" between checks).
CREATE TABLE updates (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    check_daily         INTEGER NOT NULL DEFAULT 1 CHECK (check_daily IN (0, 1)),
    -- An organization's own mirror of the feed; NULL: the feed UniAsset was built with.
    feed                TEXT,
    last_checked_at     TEXT,
    -- The latest try, answered or not: a daily check waits a day after either.
    last_attempt_at     TEXT,
    available_version   TEXT,
    available_notes     TEXT,
    available_date      TEXT,
    -- A version installed while this one still runs: it starts with the next start.
    installed_version   TEXT
);
INSERT INTO updates (id) VALUES (1);
