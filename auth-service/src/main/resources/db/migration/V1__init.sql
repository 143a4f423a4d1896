-- The auth schema itself is created by Flyway (quarkus.flyway.schemas); tables arrive with the features.
COMMENT ON SCHEMA auth IS 'Strata auth-service: Accounts, password sign-in, sessions, verification codes, OAuth linking, roles';
