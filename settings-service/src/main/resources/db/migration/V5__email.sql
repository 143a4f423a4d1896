-- The e-mail channel's durable outbox: one row per user and event (a redelivered event is sent once), claimed by
-- the sender with FOR UPDATE SKIP LOCKED so several replicas never send the same message twice.
-- status: pending (to send at next_attempt_at), sent, failed (gave up after max attempts), skipped (nothing to
-- send to: no such user, no address, address not verified; last_error says which).
CREATE TABLE settings.email_outbox (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      varchar(64) NOT NULL,
    category        varchar(10) NOT NULL,
    data            jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    status          varchar(8)  NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      varchar(500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (user_id, event_id)
);
CREATE INDEX email_outbox_due ON settings.email_outbox (next_attempt_at) WHERE status = 'pending';
