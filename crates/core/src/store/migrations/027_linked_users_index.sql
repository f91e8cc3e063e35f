-- Issue 27: a run that reads only what changed counts the linked users it leaves out (the
-- guard judges the whole organization); this index answers that count without reading
-- every user's row.
CREATE INDEX users_linked ON users (status, sign_in, entra_tenant_id) WHERE entra_object_id IS NOT NULL;
