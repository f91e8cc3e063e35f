-- Issue 23: Home. Email alerts count as set up only once a test email has gone through with
-- the settings as saved (cleared when they change); the getting-started checklist is put
-- away by the owner once every step is done.
ALTER TABLE email_alerts ADD COLUMN tested_at TEXT;
ALTER TABLE organization ADD COLUMN checklist_put_away_at TEXT;
