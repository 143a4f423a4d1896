-- The in-app inbox (the push channel's durable side): what a user missed while offline stays here until read.
-- One row per user and event, whatever the number of deliveries of that event: the durable consumer is
-- at-least-once, the unique key makes it once.
CREATE TABLE settings.inbox (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL,
    event_id    uuid        NOT NULL,
    category    varchar(10) NOT NULL,
    type        varchar(64) NOT NULL,
    data        jsonb       NOT NULL,
    occurred_at timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    UNIQUE (user_id, event_id)
);
CREATE INDEX inbox_user_newest ON settings.inbox (user_id, created_at DESC, id DESC);
CREATE INDEX inbox_user_unread ON settings.inbox (user_id) WHERE read_at IS NULL;
