-- Passkeys (WebAuthn credentials): a second way to sign in. The authenticator keeps the private key; we keep what
-- verifies its assertions: the attested credential data (AAGUID, credential id and the COSE public key, exactly as the
-- authenticator sent them at registration) and the signature counter, which only ever goes up (a counter that does
-- not is the sign of a cloned authenticator). Challenges live in Redis (auth:passkey-*, 5 minutes, used once).
CREATE TABLE auth.passkeys (
    id                       uuid         PRIMARY KEY,
    user_id                  uuid         NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    -- WebAuthn: at least 16 and at most 1023 bytes
    credential_id            bytea        NOT NULL CHECK (octet_length(credential_id) BETWEEN 16 AND 1023),
    attested_credential_data bytea        NOT NULL,
    sign_count               bigint       NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
    uv_initialized           boolean      NOT NULL,
    backup_eligible          boolean      NOT NULL,
    backup_state             boolean      NOT NULL,
    -- comma-separated hints the browser gave (usb, nfc, ble, hybrid, internal, ...), handed back in allowCredentials
    transports               varchar(200),
    attestation_format       varchar(32)  NOT NULL,
    name                     varchar(100) NOT NULL,
    created_at               timestamptz  NOT NULL,
    last_used_at             timestamptz,
    CONSTRAINT passkeys_credential_id_key UNIQUE (credential_id)
);
CREATE INDEX passkeys_user_id_idx ON auth.passkeys (user_id);
