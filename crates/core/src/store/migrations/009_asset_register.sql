-- The asset register (issue 11): what an asset is, its state, and who held it when.
ALTER TABLE assets ADD COLUMN category TEXT;
ALTER TABLE assets ADD COLUMN serial TEXT;
ALTER TABLE assets ADD COLUMN status TEXT NOT NULL DEFAULT 'in_stock'
    CHECK (status IN ('in_use', 'in_stock', 'in_repair', 'retired', 'lost'));
UPDATE assets SET status = 'in_use' WHERE assigned_to IS NOT NULL;

-- One row per time someone held an asset; the open one (ended_at IS NULL) is the current
-- holder. Append-only apart from closing it.
CREATE TABLE asset_holdings (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assign_note TEXT,
    ended_at    TEXT,
    ended_by    TEXT,
    end_note    TEXT,
    outcome     TEXT CHECK (outcome IN ('returned', 'lost')),
    CHECK ((ended_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX asset_holdings_asset ON asset_holdings (asset_id, id);
CREATE INDEX asset_holdings_user ON asset_holdings (user_id, ended_at);
CREATE UNIQUE INDEX asset_holdings_open ON asset_holdings (asset_id) WHERE ended_at IS NULL;
INSERT INTO asset_holdings (asset_id, user_id, assigned_at, assigned_by)
    SELECT id, assigned_to, created_at, 'before the asset register' FROM assets
    WHERE assigned_to IS NOT NULL;
