-- Issue 26: assets come back. A leaver's assets get a return due date when they are
-- deactivated (the organization's number of days, 14 unless changed; editable per asset),
-- cleared if they are reactivated; after it, an asset may be written off with a reason. As
-- in 019, a CHECK changes by copying the rows out, making the table again and putting them
-- back, with foreign keys deferred.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE assets_copy AS SELECT * FROM assets;
DROP TABLE assets;
CREATE TABLE assets (
    id          INTEGER PRIMARY KEY,
    tag         TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(tag)) > 0),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    assigned_to INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    category    TEXT,
    serial      TEXT,
    status      TEXT NOT NULL DEFAULT 'in_stock'
        CHECK (status IN ('in_use', 'in_stock', 'in_repair', 'retired', 'lost', 'written_off'))
);
INSERT INTO assets (id, tag, name, assigned_to, created_at, category, serial, status)
    SELECT id, tag, name, assigned_to, created_at, category, serial, status FROM assets_copy ORDER BY id;
DROP TABLE assets_copy;
CREATE INDEX assets_assigned_to ON assets (assigned_to);

CREATE TEMP TABLE asset_holdings_copy AS SELECT * FROM asset_holdings;
DROP TABLE asset_holdings;
CREATE TABLE asset_holdings (
    id               INTEGER PRIMARY KEY,
    asset_id         INTEGER NOT NULL REFERENCES assets (id),
    user_id          INTEGER NOT NULL REFERENCES users (id),
    assigned_at      TEXT NOT NULL,
    assigned_by      TEXT NOT NULL,
    assign_note      TEXT,
    ended_at         TEXT,
    ended_by         TEXT,
    end_note         TEXT,
    outcome          TEXT CHECK (outcome IN ('returned', 'lost', 'written_off')),
    -- The day (YYYY-MM-DD, UTC) a leaver's asset is due back; NULL while the holder is active.
    return_due       TEXT,
    write_off_reason TEXT CHECK (write_off_reason IN ('not_returned', 'bought_out', 'destroyed')),
    CHECK ((ended_at IS NULL) = (outcome IS NULL)),
    CHECK ((outcome = 'written_off') = (write_off_reason IS NOT NULL))
);
INSERT INTO asset_holdings (id, asset_id, user_id, assigned_at, assigned_by, assign_note, ended_at,
        ended_by, end_note, outcome)
    SELECT id, asset_id, user_id, assigned_at, assigned_by, assign_note, ended_at, ended_by,
        end_note, outcome FROM asset_holdings_copy ORDER BY id;
DROP TABLE asset_holdings_copy;
CREATE INDEX asset_holdings_asset ON asset_holdings (asset_id, id);
CREATE INDEX asset_holdings_user ON asset_holdings (user_id, ended_at);
CREATE UNIQUE INDEX asset_holdings_open ON asset_holdings (asset_id) WHERE ended_at IS NULL;

CREATE TABLE leaver_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    return_days INTEGER NOT NULL DEFAULT 14 CHECK (return_days BETWEEN 1 AND 365)
);
INSERT INTO leaver_settings (id) VALUES (1);

-- Every way a person is deactivated comes through this update, so every leaver's assets get
-- their date, counted from the deactivation's own stamp (the app's clock, not SQLite's).
CREATE TRIGGER users_deactivated_return_due
AFTER UPDATE OF status ON users
WHEN NEW.status = 'deactivated' AND OLD.status <> 'deactivated'
BEGIN
    UPDATE asset_holdings
    SET return_due = date(NEW.deactivated_at,
        '+' || (SELECT return_days FROM leaver_settings WHERE id = 1) || ' days')
    WHERE user_id = NEW.id AND ended_at IS NULL;
END;
CREATE TRIGGER users_reactivated_return_due
AFTER UPDATE OF status ON users
WHEN NEW.status = 'active' AND OLD.status <> 'active'
BEGIN
    UPDATE asset_holdings SET return_due = NULL WHERE user_id = NEW.id AND ended_at IS NULL;
END;

-- Leavers from before this upgrade: due 14 days after they were deactivated.
UPDATE asset_holdings SET return_due = (
    SELECT date(u.deactivated_at, '+14 days') FROM users u WHERE u.id = asset_holdings.user_id)
WHERE ended_at IS NULL
  AND user_id IN (SELECT id FROM users WHERE status = 'deactivated');
