package dev.strata.kyc.rest;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Request bodies with a fixed shape (application fields are a merge patch, see {@code ApplicationFields}). */
public final class Requests {

    private Requests() {
    }

    public record DocumentRequest(
            @NotBlank @Pattern(regexp = "id_front|id_back|selfie|proof_of_address",
                    message = "must be one of id_front, id_back, selfie, proof_of_address") String documentType,
            @NotBlank @Size(max = 255) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL")
            String fileName,
            @NotBlank @Pattern(regexp = "image/jpeg|image/png|image/webp|application/pdf",
                    message = "must be one of image/jpeg, image/png, image/webp, application/pdf") String contentType,
            @NotNull @Positive Long size) {
    }

    public record DecisionRequest(
            @NotBlank @Pattern(regexp = "approved|rejected|additional_info_required",
                    message = "must be one of approved, rejected, additional_info_required") String decision,
            @Size(max = 10) List<@NotBlank @Pattern(regexp = "[A-Z][A-Z0-9_]{1,49}",
                    message = "must be an upper-case reason code like DOCUMENT_EXPIRED") String> reasonCodes,
            // PostgreSQL text cannot hold NUL; other control characters but tab and newlines are noise
            @Size(max = 2000) @Pattern(regexp = "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*",
                    message = "must not contain control characters") String note) {
    }
}
