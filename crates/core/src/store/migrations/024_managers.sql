-- Issue 26: a leaver's manager hears about the assets they still hold. Read from Entra
-- (GET /users/{id}/manager) or set by hand; a manager set by hand is not overwritten by Entra.
CREATE TABLE user_managers (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    email   TEXT NOT NULL,
    name    TEXT NOT NULL,
    source  TEXT NOT NULL CHECK (source IN ('entra', 'hand')),
    set_at  TEXT NOT NULL
);
