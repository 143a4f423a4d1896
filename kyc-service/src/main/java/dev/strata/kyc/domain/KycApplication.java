package dev.strata.kyc.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

@Entity
@Table(name = "kyc_applications")
public class KycApplication extends PanacheEntityBase {

    public static final String INDIVIDUAL = "individual";
    public static final String ENTITY = "entity";
    public static final List<String> APPLICANT_TYPES = List.of(INDIVIDUAL, ENTITY);
    public static final List<String> ID_DOCUMENT_TYPES = List.of("passport", "national_id", "driving_licence",
            "residence_permit");

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    public String status;
    @Column(name = "applicant_type")
    public String applicantType;
    @Column(name = "legal_name")
    public String legalName;
    @Column(name = "date_of_birth")
    public LocalDate dateOfBirth;
    public String nationality;
    @Column(name = "residence_country")
    public String residenceCountry;
    @Column(name = "address_line1")
    public String addressLine1;
    @Column(name = "address_line2")
    public String addressLine2;
    public String city;
    @Column(name = "postal_code")
    public String postalCode;
    public String region;
    @Column(name = "id_document_type")
    public String idDocumentType;
    @Column(name = "national_id_cipher")
    public byte[] nationalIdCipher;
    @Column(name = "national_id_key_id")
    public String nationalIdKeyId;
    @Column(name = "tax_id_cipher")
    public byte[] taxIdCipher;
    @Column(name = "tax_id_key_id")
    public String taxIdKeyId;
    @Column(name = "submitted_at")
    public Instant submittedAt;
    @Column(name = "reviewed_at")
    public Instant reviewedAt;
    @Column(name = "reviewer_id")
    public UUID reviewerId;
    @Column(name = "assigned_to")
    public UUID assignedTo;
    @Column(name = "assigned_at")
    public Instant assignedAt;
    @Column(name = "decision_reason_codes")
    public String decisionReasonCodes;
    @Column(name = "decision_note")
    public String decisionNote;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Version
    public int version;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public Status statusEnum() {
        return Status.of(status);
    }

    public List<String> reasonCodes() {
        return decisionReasonCodes == null || decisionReasonCodes.isEmpty() ? List.of()
                : Arrays.asList(decisionReasonCodes.split(","));
    }

    public boolean ownedBy(String userId) {
        return this.userId.toString().equals(userId);
    }
}
