package dev.strata.kyc.domain;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The application workflow. {@code draft → submitted → under_review → approved | rejected |
 * additional_info_required}, {@code additional_info_required → submitted}, {@code approved → expired}. Nothing else.
 */
public enum Status {
    DRAFT("draft"),
    SUBMITTED("submitted"),
    UNDER_REVIEW("under_review"),
    APPROVED("approved"),
    REJECTED("rejected"),
    ADDITIONAL_INFO_REQUIRED("additional_info_required"),
    EXPIRED("expired");

    private final String id;

    Status(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Status> fromId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    public static Status of(String id) {
        return fromId(id).orElseThrow(() -> new IllegalStateException("unknown status in the database: " + id));
    }

    public Set<Status> next() {
        return switch (this) {
            case DRAFT -> EnumSet.of(SUBMITTED);
            case SUBMITTED -> EnumSet.of(UNDER_REVIEW);
            case UNDER_REVIEW -> EnumSet.of(APPROVED, REJECTED, ADDITIONAL_INFO_REQUIRED);
            case ADDITIONAL_INFO_REQUIRED -> EnumSet.of(SUBMITTED);
            case APPROVED -> EnumSet.of(EXPIRED);
            case REJECTED, EXPIRED -> EnumSet.noneOf(Status.class);
        };
    }

    public boolean canMoveTo(Status to) {
        return next().contains(to);
    }

    /** The applicant may edit fields and documents only while the application is theirs to change. */
    public boolean editableByApplicant() {
        return this == DRAFT || this == ADDITIONAL_INFO_REQUIRED;
    }

    /** Open applications block a new one (the partial unique index in V2 says the same). */
    public boolean open() {
        return this != REJECTED && this != EXPIRED;
    }

    /** Decisions a reviewer can take. */
    public boolean decision() {
        return this == APPROVED || this == REJECTED || this == ADDITIONAL_INFO_REQUIRED;
    }
}
