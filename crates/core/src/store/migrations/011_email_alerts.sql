-- Email alerts (issue 11): where they go and how the last one fared. The SMTP password is
-- not here: it lives only in the OS keychain, and `password_set` only says it was saved.
CREATE TABLE email_alerts (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    enabled            INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    host               TEXT,
    port               INTEGER NOT NULL DEFAULT 587 CHECK (port BETWEEN 1 AND 65535),
    tls                TEXT NOT NULL DEFAULT 'starttls' CHECK (tls IN ('none', 'starttls', 'tls')),
    username           TEXT,
    password_set       INTEGER NOT NULL DEFAULT 0 CHECK (password_set IN (0, 1)),
    sender             TEXT,
    -- Comma-separated, each checked as an address when saved.
    recipients         TEXT NOT NULL DEFAULT '',
    -- The last message sent or tried, for the window: when, what, and the error if it failed.
    last_sent_at       TEXT,
    last_subject       TEXT,
    last_error         TEXT,
    -- The newest run an alert was considered for, so a run alerts once however often asked.
    last_run_alerted   INTEGER,
    -- The last success (or the turning on of auto-deprovision) the 48-hour alert was sent
    -- about: it is sent again only once a newer one is 48 hours old.
    stale_alerted_from TEXT,
    CHECK (enabled = 0 OR (host IS NOT NULL AND sender IS NOT NULL AND recipients <> ''))
);
INSERT INTO email_alerts (id) VALUES (1);
