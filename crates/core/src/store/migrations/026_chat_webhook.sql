-- Issue 26: the same alerts in a chat channel — a Microsoft Teams Workflows webhook (an
-- Adaptive Card), a Slack incoming webhook (text with blocks) or any endpoint (a documented
-- JSON body). The webhook's address is a secret: it lives only in the OS keychain; this row
-- keeps its kind and host (to show which one is set), where alerts start, and how the last
-- post fared.
CREATE TABLE chat_webhook (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    kind               TEXT NOT NULL CHECK (kind IN ('teams', 'slack', 'json')),
    host               TEXT NOT NULL,
    set_at             TEXT NOT NULL,
    tested_at          TEXT,
    -- Runs up to this one are owed no post: those stored before the webhook was set.
    alerts_after_run   INTEGER NOT NULL,
    stale_alerted_from TEXT,
    last_sent_at       TEXT,
    last_subject       TEXT,
    last_error         TEXT
);

-- What became of each run's post, as run_alerts for emails.
CREATE TABLE run_posts (
    run_id        INTEGER PRIMARY KEY REFERENCES sync_runs (id),
    done_at       TEXT,
    claimed_until TEXT,
    tries         INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    retry_at      TEXT
);
