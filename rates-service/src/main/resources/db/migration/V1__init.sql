-- The rates schema itself is created by Flyway (quarkus.flyway.schemas); tables arrive with the features.
COMMENT ON SCHEMA rates IS 'Strata rates-service: Exchange rates from provider feeds, cached';
