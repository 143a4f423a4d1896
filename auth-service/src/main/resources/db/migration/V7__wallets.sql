-- EVM wallets a user proved to own (EIP-191 personal_sign over a one-time challenge; the challenges themselves live
-- in Redis under auth:wallet-challenge:*, 5 minutes, used once). An address belongs to at most one user, so a
-- token transfer to it finds exactly one recipient. Stored lower-case: EVM addresses compare case-insensitively
-- (the mixed case of EIP-55 is only a checksum).
-- users.wallet_address (V2) is not written by any endpoint and is superseded by this table.
CREATE TABLE auth.wallets (
    address    varchar(42) PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
    user_id    uuid        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    linked_at  timestamptz NOT NULL
);
CREATE INDEX wallets_user_id_idx ON auth.wallets (user_id);
