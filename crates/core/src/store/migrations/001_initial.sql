-- One organization per data directory.
CREATE TABLE organization (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    plan       TEXT NOT NULL CHECK (plan IN ('free', 'team', 'enterprise')),
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id                        INTEGER PRIMARY KEY,
    email                     TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name              TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    role                      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    sign_in                   TEXT NOT NULL CHECK (sign_in IN ('password', 'google', 'microsoft')),
    entra_object_id           TEXT COLLATE NOCASE UNIQUE,
    password_hash             TEXT,
    status                    TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
    deactivated_at            TEXT,
    deactivated_by            TEXT,
    deactivated_by_user_id    INTEGER REFERENCES users (id),
    deactivation_reason       TEXT CHECK (deactivation_reason IN ('disabled_in_entra', 'deleted_from_entra', 'manual')),
    created_at                TEXT NOT NULL,
    -- A deactivated user always says when, by whom and why; an active one says nothing.
    CHECK ((status = 'active' AND deactivated_at IS NULL AND deactivated_by IS NULL AND deactivation_reason IS NULL)
        OR (status = 'deactivated' AND deactivated_at IS NOT NULL AND deactivated_by IS NOT NULL AND deactivation_reason IS NOT NULL)),
    CHECK (entra_object_id IS NULL OR sign_in = 'microsoft')
);
CREATE INDEX users_status ON users (status);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX sessions_open ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE assets (
    id          INTEGER PRIMARY KEY,
    tag         TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(tag)) > 0),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    assigned_to INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX assets_assigned_to ON assets (assigned_to);

-- History is append-only and always attributed: actor_label survives even when the
-- actor is not a person (the command line, the Entra sync).
CREATE TABLE audit_entries (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_user_id   INTEGER REFERENCES users (id),
    actor_label     TEXT NOT NULL,
    action          TEXT NOT NULL,
    subject_user_id INTEGER REFERENCES users (id),
    asset_id        INTEGER REFERENCES assets (id),
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_subject ON audit_entries (subject_user_id);
CREATE INDEX audit_entries_actor ON audit_entries (actor_user_id);

CREATE TABLE maintenance_logs (
    id        INTEGER PRIMARY KEY,
    asset_id  INTEGER NOT NULL REFERENCES assets (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    at        TEXT NOT NULL,
    note      TEXT NOT NULL CHECK (length(trim(note)) > 0)
);
CREATE INDEX maintenance_logs_author ON maintenance_logs (author_id);

-- The file itself lives in the data directory under documents/, named by its SHA-256.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER REFERENCES assets (id),
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX documents_uploaded_by ON documents (uploaded_by);
