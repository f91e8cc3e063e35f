-- Issue 25: the organization's target from detecting a leaver to deactivating them, which
-- the deprovisioning evidence measures each deactivation against.
ALTER TABLE deprovision_settings ADD COLUMN evidence_target_hours INTEGER NOT NULL DEFAULT 24
    CHECK (evidence_target_hours BETWEEN 1 AND 720);
