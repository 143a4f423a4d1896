-- ISO 4217 currencies the service knows; minor_units drives conversion rounding.
CREATE TABLE rates.currencies (
    code        char(3)  PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    name        text     NOT NULL,
    minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 4)
);

INSERT INTO rates.currencies (code, name, minor_units) VALUES
    -- every currency of the ECB reference feed
    ('EUR', 'Euro', 2),
    ('USD', 'US Dollar', 2),
    ('JPY', 'Yen', 0),
    ('BGN', 'Bulgarian Lev', 2),
    ('CZK', 'Czech Koruna', 2),
    ('DKK', 'Danish Krone', 2),
    ('GBP', 'Pound Sterling', 2),
    ('HUF', 'Forint', 2),
    ('PLN', 'Zloty', 2),
    ('RON', 'Romanian Leu', 2),
    ('SEK', 'Swedish Krona', 2),
    ('CHF', 'Swiss Franc', 2),
    ('ISK', 'Iceland Krona', 0),
    ('NOK', 'Norwegian Krone', 2),
    ('TRY', 'Turkish Lira', 2),
    ('AUD', 'Australian Dollar', 2),
    ('BRL', 'Brazilian Real', 2),
    ('CAD', 'Canadian Dollar', 2),
    ('CNY', 'Yuan Renminbi', 2),
    ('HKD', 'Hong Kong Dollar', 2),
    ('IDR', 'Rupiah', 2),
    ('ILS', 'New Israeli Sheqel', 2),
    ('INR', 'Indian Rupee', 2),
    ('KRW', 'Won', 0),
    ('MXN', 'Mexican Peso', 2),
    ('MYR', 'Malaysian Ringgit', 2),
    ('NZD', 'New Zealand Dollar', 2),
    ('PHP', 'Philippine Peso', 2),
    ('SGD', 'Singapore Dollar', 2),
    ('THB', 'Baht', 2),
    ('ZAR', 'Rand', 2),
    -- common others (served by open.er-api), including the three-decimal ones
    ('KWD', 'Kuwaiti Dinar', 3),
    ('BHD', 'Bahraini Dinar', 3),
    ('OMR', 'Rial Omani', 3),
    ('JOD', 'Jordanian Dinar', 3),
    ('TND', 'Tunisian Dinar', 3),
    ('AED', 'UAE Dirham', 2),
    ('SAR', 'Saudi Riyal', 2),
    ('QAR', 'Qatari Rial', 2),
    ('EGP', 'Egyptian Pound', 2),
    ('NGN', 'Naira', 2),
    ('KES', 'Kenyan Shilling', 2),
    ('MAD', 'Moroccan Dirham', 2),
    ('ARS', 'Argentine Peso', 2),
    ('CLP', 'Chilean Peso', 0),
    ('COP', 'Colombian Peso', 2),
    ('PEN', 'Sol', 2),
    ('UAH', 'Hryvnia', 2),
    ('RSD', 'Serbian Dinar', 2),
    ('TWD', 'New Taiwan Dollar', 2),
    ('VND', 'Dong', 0),
    ('PKR', 'Pakistan Rupee', 2),
    ('BDT', 'Taka', 2),
    ('UGX', 'Uganda Shilling', 0);

-- The latest rate per ordered pair; effective_at is the provider's own timestamp.
CREATE TABLE rates.exchange_rates (
    base         char(3)        NOT NULL REFERENCES rates.currencies (code),
    quote        char(3)        NOT NULL REFERENCES rates.currencies (code),
    rate         numeric(38,18) NOT NULL CHECK (rate > 0),
    provider     varchar(32)    NOT NULL,
    effective_at timestamptz    NOT NULL,
    fetched_at   timestamptz    NOT NULL,
    expires_at   timestamptz    NOT NULL,
    CONSTRAINT exchange_rates_pair_uq UNIQUE (base, quote),
    CONSTRAINT exchange_rates_distinct_ck CHECK (base <> quote)
);
-- reads select pairs by base or by quote (inverse and cross legs); the unique index serves "base = ?"
CREATE INDEX exchange_rates_quote_idx ON rates.exchange_rates (quote);

-- Every fetched or manually set rate. Partitioned by fetched_at (always "now" when written, so new rows land in
-- the partitions created ahead); queries filter on effective_at and prune with fetched_at >= from, since a rate
-- is never fetched before it takes effect.
CREATE TABLE rates.exchange_rate_history (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    base         char(3)        NOT NULL,
    quote        char(3)        NOT NULL,
    rate         numeric(38,18) NOT NULL CHECK (rate > 0),
    provider     varchar(32)    NOT NULL,
    effective_at timestamptz    NOT NULL,
    fetched_at   timestamptz    NOT NULL,
    trigger      varchar(16)    NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
    actor        text,
    PRIMARY KEY (id, fetched_at)
) PARTITION BY RANGE (fetched_at);

CREATE INDEX exchange_rate_history_pair_idx ON rates.exchange_rate_history (base, quote, effective_at DESC, id DESC);

-- Creates this month's partition and the next months_ahead ones (UTC month bounds) if missing; returns how many
-- it created. Called here, and by every refresh and override before writing history.
CREATE FUNCTION rates.ensure_history_partitions(months_ahead int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    first_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    m           timestamp;
    part        text;
    created     int := 0;
BEGIN
    FOR i IN 0..months_ahead LOOP
        m := first_month + make_interval(months => i);
        part := 'exchange_rate_history_' || to_char(m, 'YYYY_MM');
        IF to_regclass('rates.' || part) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE rates.%I PARTITION OF rates.exchange_rate_history FOR VALUES FROM (%L) TO (%L)',
                               part, (m AT TIME ZONE 'UTC'), ((m + interval '1 month') AT TIME ZONE 'UTC'));
                created := created + 1;
            EXCEPTION WHEN duplicate_table THEN
                NULL; -- a concurrent caller created it first
            END;
        END IF;
    END LOOP;
    RETURN created;
END $$;

SELECT rates.ensure_history_partitions(3);
