-- The settings schema itself is created by Flyway (quarkus.flyway.schemas); tables arrive with the features.
COMMENT ON SCHEMA settings IS 'Strata settings-service: Per-user settings and notification channels';
