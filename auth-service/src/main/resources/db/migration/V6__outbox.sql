-- Transactional outbox (platform OutboxRelay): account events (a sign-in method linked, the password changed, all
-- sessions signed out) are written with the change and relayed to the Redis Stream strata:events:accounts, so a
-- notification is never lost because Redis or settings-service was down at the time.
CREATE TABLE auth.outbox (
    id          bigserial PRIMARY KEY,
    event_id    uuid        NOT NULL UNIQUE,
    family      text        NOT NULL,
    channel     text        NOT NULL,
    type        text        NOT NULL,
    subject     text,
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent ON auth.outbox (id) WHERE sent_at IS NULL;
