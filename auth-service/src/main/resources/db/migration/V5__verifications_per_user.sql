-- Codes are looked up per requesting user (a phone number anyone may type in must not let one user void or lock
-- another user's codes), so the lookup index leads with the user.
DROP INDEX IF EXISTS auth.verifications_lookup_idx;
CREATE INDEX verifications_lookup_idx ON auth.verifications (user_id, purpose, identifier, created_at DESC);
