package dev.strata.kyc.rest;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** What the API answers. */
public final class Views {

    private Views() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Address(String line1, String line2, String city, String postalCode, String region) {
    }

    /**
     * An application as its reader may see it: identity numbers in full for reviewers and admins, masked (last
     * four characters) for the applicant, who typed them.
     */
    public record ApplicationView(String id, String userId, String status, String applicantType, String legalName,
            LocalDate dateOfBirth, String nationality, String residenceCountry, Address address, String idDocumentType,
            String nationalIdNumber, String taxIdNumber, Instant submittedAt, Instant reviewedAt, String reviewerId,
            String assignedTo, List<String> reasonCodes, String decisionNote, Instant expiresAt, int version,
            Instant createdAt, Instant updatedAt, List<DocumentView> documents) {
    }

    public record DocumentView(String id, String documentType, String fileName, long size, String contentType,
            String sha256, boolean uploaded, Instant uploadedAt, Instant createdAt) {
    }

    public record Upload(String url, Map<String, String> fields, Instant expiresAt) {
    }

    /** 201 to a document request: upload the file with {@code upload} (multipart POST, file last), then complete. */
    public record DocumentTicket(String documentId, String documentType, String storageKey, Upload upload) {
    }

    public record DownloadUrl(String url, Instant expiresAt) {
    }

    public record HistoryEntry(String fromStatus, String toStatus, String changedBy, String reason, Instant at) {
    }

    /** {@code status} is {@code none} for a user who never applied. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StatusView(String userId, String status, String applicationId, Instant expiresAt, Instant updatedAt) {
    }

    public record QueueItem(String id, String userId, String applicantType, String legalName, String status,
            Instant submittedAt, String assignedTo) {
    }

    public record QueuePage(List<QueueItem> items, String nextCursor) {
    }

    public record ExpiryRun(int expired) {
    }

    public record ReconcileRun(long objects, long rows, long orphansFound, long orphansDeleted, long missingObjects) {
    }
}
