-- Password reset links: single use, 30 minutes. Only the SHA-256 of the 256-bit token is stored, so a copy of this
-- table resets nobody's password. A newer link, a redemption or a password change voids the open ones.
CREATE TABLE auth.password_resets (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    token_hash varchar(64) NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_user_id_idx ON auth.password_resets (user_id);

-- E-mail changes reuse auth.verifications (purpose 'email-change', identifier = the new address): the same code,
-- attempt and daily budget rules as every other code. Looked up by user and purpose alone (the confirmation carries
-- only the code).
CREATE INDEX verifications_user_purpose_idx ON auth.verifications (user_id, purpose, created_at DESC);
