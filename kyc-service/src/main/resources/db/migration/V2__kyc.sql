-- KYC applications, their documents, the audit trail of every status change, and the transactional outbox.

CREATE TABLE kyc_applications (
    id                      uuid PRIMARY KEY,
    user_id                 uuid        NOT NULL,
    status                  text        NOT NULL CHECK (status IN ('draft', 'submitted', 'under_review', 'approved',
                                            'rejected', 'additional_info_required', 'expired')),
    applicant_type          text        NOT NULL CHECK (applicant_type IN ('individual', 'entity')),
    legal_name              text,
    date_of_birth           date,
    nationality             char(2),
    residence_country       char(2),
    address_line1           text,
    address_line2           text,
    city                    text,
    postal_code             text,
    region                  text,
    id_document_type        text CHECK (id_document_type IN ('passport', 'national_id', 'driving_licence',
                                            'residence_permit')),
    -- AES-256-GCM ciphertext (iv || ciphertext || tag) and the id of the key that made it, so keys can rotate
    national_id_cipher      bytea,
    national_id_key_id      text,
    tax_id_cipher           bytea,
    tax_id_key_id           text,
    submitted_at            timestamptz,
    reviewed_at             timestamptz,
    reviewer_id             uuid,
    assigned_to             uuid,
    assigned_at             timestamptz,
    decision_reason_codes   text,
    decision_note           text,
    expires_at              timestamptz,
    version                 integer     NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    CHECK ((national_id_cipher IS NULL) = (national_id_key_id IS NULL)),
    CHECK ((tax_id_cipher IS NULL) = (tax_id_key_id IS NULL))
);

CREATE INDEX kyc_applications_user_id ON kyc_applications (user_id);
CREATE INDEX kyc_applications_status ON kyc_applications (status);
CREATE INDEX kyc_applications_submitted_at ON kyc_applications (submitted_at);
-- the reviewer queue: oldest first, keyset-paginated on (submitted_at, id)
CREATE INDEX kyc_applications_status_submitted_at ON kyc_applications (status, submitted_at, id);
-- the expiry job's scan
CREATE INDEX kyc_applications_approved_expiry ON kyc_applications (expires_at) WHERE status = 'approved';
-- one open application per user, enforced by the database so two concurrent creations cannot both win
CREATE UNIQUE INDEX kyc_applications_one_open_per_user ON kyc_applications (user_id)
    WHERE status NOT IN ('rejected', 'expired');

CREATE TABLE kyc_documents (
    id              uuid PRIMARY KEY,
    application_id  uuid        NOT NULL REFERENCES kyc_applications (id) ON DELETE CASCADE,
    document_type   text        NOT NULL CHECK (document_type IN ('id_front', 'id_back', 'selfie', 'proof_of_address')),
    storage_key     text        NOT NULL UNIQUE,
    file_name       text        NOT NULL,
    file_size       bigint      NOT NULL CHECK (file_size > 0),
    content_type    text        NOT NULL,
    sha256          char(64),
    uploaded_at     timestamptz,
    created_at      timestamptz NOT NULL
);
-- one current document per type: a replacement removes the previous row in the same transaction
CREATE UNIQUE INDEX kyc_documents_one_per_type ON kyc_documents (application_id, document_type);

CREATE TABLE kyc_status_history (
    id              bigserial PRIMARY KEY,
    application_id  uuid        NOT NULL REFERENCES kyc_applications (id) ON DELETE CASCADE,
    from_status     text,
    to_status       text        NOT NULL,
    changed_by      uuid,
    reason          text,
    at              timestamptz NOT NULL
);
CREATE INDEX kyc_status_history_application ON kyc_status_history (application_id, id);

-- Transactional outbox (platform OutboxRelay): rows written with the change, relayed to Redis Streams + pub/sub.
CREATE TABLE outbox (
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
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
