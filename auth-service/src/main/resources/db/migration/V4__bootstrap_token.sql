-- The one-time bootstrap-admin token: only its hash is kept; consuming it is a single conditional update.
CREATE TABLE bootstrap_tokens (
    id           smallint PRIMARY KEY CHECK (id = 1),
    token_hash   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    consumed_at  timestamptz,
    consumed_by  uuid
);
