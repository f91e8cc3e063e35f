-- Issue 22: an email for every stored run that deactivated people, was held or failed,
-- whoever ran it (the window, the app's scheduler or `uniasset entra sync` from cron), sent
-- once by whichever process gets to it first. What is owed is derived from sync_runs; this
-- table records what became of each email, and which process is sending it right now.
CREATE TABLE run_alerts (
    run_id        INTEGER PRIMARY KEY REFERENCES sync_runs (id),
    -- When the server accepted the email (or the run turned out to need none): no longer owed.
    done_at       TEXT,
    -- A process is sending it until then. One that died while sending leaves it to the next
    -- process once this has passed.
    claimed_until TEXT,
    -- Failed tries so far, the last one's error, and when the next try may be made.
    tries         INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    retry_at      TEXT
);

-- Runs up to this one are owed no email: those stored before alerts were turned on (set
-- again each time they are), and every run stored before this upgrade, so an upgrade does
-- not mail the whole history at once. NULL while alerts are off.
ALTER TABLE email_alerts ADD COLUMN alerts_after_run INTEGER;
UPDATE email_alerts SET alerts_after_run = (SELECT coalesce(max(id), 0) FROM sync_runs)
    WHERE enabled = 1;
-- Replaced by the two above.
ALTER TABLE email_alerts DROP COLUMN last_run_alerted;
