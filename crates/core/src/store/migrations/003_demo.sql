-- A demo organization is connected to the built-in Graph simulator on every start.
ALTER TABLE organization ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
