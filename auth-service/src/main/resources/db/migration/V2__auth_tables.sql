-- Accounts, sessions (durable record; Redis is the fast path), linked OAuth/OIDC accounts, verification codes.
-- Secrets are never stored raw: password as an argon2id PHC string, session tokens and codes as hashes.
CREATE TABLE auth.users (
    id              uuid PRIMARY KEY,
    email           varchar(254) NOT NULL,
    email_verified  boolean      NOT NULL DEFAULT false,
    phone           varchar(20),
    phone_verified  boolean      NOT NULL DEFAULT false,
    name            varchar(200),
    wallet_address  varchar(64),
    -- comma-separated role names (user, reviewer, admin): small, read with the row, copied into sessions
    roles           varchar(100) NOT NULL DEFAULT 'user',
    password_hash   varchar(255),
    banned_at       timestamptz,
    ban_reason      varchar(500),
    locked_until    timestamptz,
    created_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_wallet_address_key UNIQUE (wallet_address)
);
CREATE INDEX users_phone_idx ON auth.users (phone);

CREATE TABLE auth.sessions (
    id            uuid PRIMARY KEY,
    user_id       uuid         NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    token_hash    varchar(64)  NOT NULL,
    created_at    timestamptz  NOT NULL,
    last_seen_at  timestamptz  NOT NULL,
    expires_at    timestamptz  NOT NULL,
    revoked_at    timestamptz,
    revoke_reason varchar(32),
    ip            varchar(45),
    user_agent    varchar(512),
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_id_idx ON auth.sessions (user_id);
-- "my active sessions" and "revoke all" only ever look at live rows
CREATE INDEX sessions_user_active_idx ON auth.sessions (user_id, expires_at) WHERE revoked_at IS NULL;

-- Provider tokens are not kept at all: linking needs only the provider's stable subject.
CREATE TABLE auth.accounts (
    id           uuid PRIMARY KEY,
    user_id      uuid         NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    provider_id  varchar(64)  NOT NULL,
    account_id   varchar(255) NOT NULL,
    email        varchar(254),
    scope        varchar(500),
    expires_at   timestamptz,
    created_at   timestamptz  NOT NULL,
    CONSTRAINT accounts_provider_account_key UNIQUE (provider_id, account_id),
    CONSTRAINT accounts_user_provider_key UNIQUE (user_id, provider_id)
);
CREATE INDEX accounts_user_id_idx ON auth.accounts (user_id);

CREATE TABLE auth.verifications (
    id          uuid PRIMARY KEY,
    user_id     uuid         REFERENCES auth.users (id) ON DELETE CASCADE,
    purpose     varchar(32)  NOT NULL,
    identifier  varchar(254) NOT NULL,
    code_hash   varchar(64)  NOT NULL,
    attempts    integer      NOT NULL DEFAULT 0,
    expires_at  timestamptz  NOT NULL,
    consumed_at timestamptz,
    created_at  timestamptz  NOT NULL
);
CREATE INDEX verifications_user_id_idx ON auth.verifications (user_id);
CREATE INDEX verifications_lookup_idx ON auth.verifications (purpose, identifier, created_at DESC);
