-- Webhooks: the endpoints users register and the durable outbox of what is owed to them.
-- Secrets are stored as issued (the HMAC needs them); encryption at rest is the database's / volume's job.
CREATE TABLE settings.webhook_endpoints (
    id                    uuid          PRIMARY KEY,
    user_id               uuid          NOT NULL,
    url                   varchar(2048) NOT NULL,
    description           varchar(256),
    secret                varchar(100)  NOT NULL,
    previous_secret       varchar(100),
    previous_secret_until timestamptz,
    enabled               boolean       NOT NULL DEFAULT true,
    disabled_reason       varchar(500),
    failing_since         timestamptz,
    created_at            timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_user ON settings.webhook_endpoints (user_id, created_at, id);

-- One row per endpoint and event (the consumer is at-least-once; the unique key makes enqueue idempotent).
-- A claimed row's next_attempt_at is pushed forward (a lease) and claim_id set: another replica skips it, and
-- a replica that dies mid-attempt leaves it due again when the lease runs out.
CREATE TABLE settings.webhook_deliveries (
    id               uuid        PRIMARY KEY,
    endpoint_id      uuid        NOT NULL REFERENCES settings.webhook_endpoints (id) ON DELETE CASCADE,
    user_id          uuid        NOT NULL,
    event_id         uuid        NOT NULL,
    event_type       varchar(64) NOT NULL,
    payload          jsonb       NOT NULL,
    status           varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    claim_id         uuid,
    last_status_code integer,
    last_error       varchar(500),
    cycle_started_at timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON settings.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON settings.webhook_deliveries (endpoint_id, created_at DESC, id DESC);
