-- A user's open sessions end the moment they are deactivated, whoever deactivates them
-- (by hand, the Entra ID sync, the command line): a rule of the data, not of one caller.
CREATE TRIGGER users_deactivated_end_sessions
AFTER UPDATE OF status ON users
WHEN NEW.status = 'deactivated' AND OLD.status <> 'deactivated'
BEGIN
    UPDATE sessions SET ended_at = NEW.deactivated_at WHERE user_id = NEW.id AND ended_at IS NULL;
END;
