-- When the session last proved its user's credentials (sign-in, or a password check on demand): adding a sign-in
-- method needs a recent one, so a stolen session alone cannot attach an attacker's account.
ALTER TABLE sessions ADD COLUMN reauthenticated_at timestamptz;
UPDATE sessions SET reauthenticated_at = created_at;
