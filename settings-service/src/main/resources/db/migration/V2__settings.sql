-- Per-user display settings (one row per user who changed anything; defaults otherwise) and notification
-- preferences per channel and event category (rows only for choices that differ from the defaults).
CREATE TABLE settings.user_settings (
    user_id    uuid        PRIMARY KEY,
    locale     varchar(35) NOT NULL,
    timezone   varchar(64) NOT NULL,
    currency   char(3)     NOT NULL,
    theme      varchar(6)  NOT NULL CHECK (theme IN ('light', 'dark', 'system')),
    version    bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE settings.notification_settings (
    user_id    uuid        NOT NULL,
    channel    varchar(8)  NOT NULL CHECK (channel IN ('email', 'push', 'webhook')),
    category   varchar(10) NOT NULL CHECK (category IN ('kyc', 'security', 'transfers', 'alerts')),
    enabled    boolean     NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, channel, category)
);
