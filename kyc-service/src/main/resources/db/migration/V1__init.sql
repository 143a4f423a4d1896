-- The kyc schema itself is created by Flyway (quarkus.flyway.schemas); tables arrive with the features.
COMMENT ON SCHEMA kyc IS 'Strata kyc-service: KYC applications, documents, review workflow and audit history';
