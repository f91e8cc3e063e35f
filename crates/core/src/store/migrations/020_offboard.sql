-- Issue 25: "Offboard…" — a person taken out from here in one step: disabled in Entra (or why
-- not, when Entra refused and the owner went on), sessions ended, deactivated here. One row
-- per offboarding; the deactivation itself is the user's, as any.
CREATE TABLE offboardings (
    id                   INTEGER PRIMARY KEY,
    user_id              INTEGER NOT NULL REFERENCES users (id),
    deactivated_at       TEXT NOT NULL,
    offboarded_by        TEXT NOT NULL,
    disabled_in_entra_at TEXT,
    entra_refused        TEXT
);
CREATE INDEX offboardings_user ON offboardings (user_id);
