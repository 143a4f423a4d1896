-- TOTP two-factor sign-in (RFC 6238, SHA-1, 6 digits, 30 s). One row per user: pending (enabled_at null) from
-- enrolment until the first code confirms it. The secret is AES-256-GCM encrypted with strata.auth.totp.encryption-key
-- (the user id is the associated data, so a ciphertext copied to another user's row does not decrypt).
-- last_used_step: the newest time step a code was accepted for; a conditional UPDATE (only if larger) is what
-- refuses a replayed code, also when two requests carry it at once.
CREATE TABLE auth.totp (
    user_id          uuid        PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    secret_encrypted text        NOT NULL,
    created_at       timestamptz NOT NULL,
    enabled_at       timestamptz,
    last_used_step   bigint
);

-- Single-use recovery codes: HMAC-SHA256 under a key derived from the code pepper, never the code itself.
CREATE TABLE auth.totp_recovery_codes (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    code_hash  varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    UNIQUE (user_id, code_hash)
);
CREATE INDEX totp_recovery_codes_user_id_idx ON auth.totp_recovery_codes (user_id);
