-- Issue 25: every audit entry carries a SHA-256 over its content and the previous entry's
-- hash (see audit/chain.rs); the migration's hook chains the entries already there.
ALTER TABLE audit_entries ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_entries ADD COLUMN hash TEXT;
