package dev.strata.kyc.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

@Entity
@Table(name = "kyc_documents")
public class KycDocument extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "application_id")
    public UUID applicationId;
    @Column(name = "document_type")
    public String documentType;
    @Column(name = "storage_key")
    public String storageKey;
    @Column(name = "file_name")
    public String fileName;
    @Column(name = "file_size")
    public long fileSize;
    @Column(name = "content_type")
    public String contentType;
    public String sha256;
    @Column(name = "uploaded_at")
    public Instant uploadedAt;
    @Column(name = "created_at")
    public Instant createdAt;

    public boolean uploaded() {
        return uploadedAt != null;
    }
}
