-- Issue 13: the app registration "Set it up for me" made, and the secret UniAsset uses in it.
-- Only ids and names: the secret itself lives in the OS keychain alone.
-- The application's object id (addPassword and removePassword take it), when UniAsset knows it.
ALTER TABLE entra_connection ADD COLUMN app_object_id TEXT;
-- The keyId of the client secret in use, when UniAsset added it: renewing removes this one.
ALTER TABLE entra_connection ADD COLUMN secret_key_id TEXT;
-- The administrator who signed in when UniAsset set the app up (NULL: entered by hand).
ALTER TABLE entra_connection ADD COLUMN set_up_by TEXT;
-- What a run said about the secret's expiry when it ended (from 30 days before).
ALTER TABLE sync_runs ADD COLUMN secret_notice TEXT;
