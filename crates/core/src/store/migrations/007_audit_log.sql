-- The audit log screen pages 100,000 entries newest first, filtered by action or by date.
-- Each index ends in the rowid (id), so a filtered page reads in id order without sorting.
-- (Filtering by person uses audit_entries_actor and audit_entries_subject from 001.)
CREATE INDEX audit_entries_action ON audit_entries (action);
CREATE INDEX audit_entries_at ON audit_entries (at);
