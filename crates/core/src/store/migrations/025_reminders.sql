-- Issue 26: reminders about leavers' assets (off by default; on from reminders_since). One
-- row per reminder owed about a holding on a channel (email or chat): its kind ('left',
-- 'due_soon', 'due', 'overdue_N') and the due date it is about, sent once (sent_at), or
-- failed and waiting to be tried again.
ALTER TABLE leaver_settings ADD COLUMN reminders_since TEXT;
CREATE TABLE asset_reminders (
    holding_id INTEGER NOT NULL REFERENCES asset_holdings (id),
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'chat')),
    kind       TEXT NOT NULL,
    due        TEXT NOT NULL,
    sent_at    TEXT,
    tries      INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    retry_at   TEXT,
    PRIMARY KEY (holding_id, channel, kind, due)
);
