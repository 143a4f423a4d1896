package dev.strata.storage.domain;

import java.util.Optional;

/** The gateway's buckets by role; their actual names come from configuration. */
public enum BucketRole {
    KYC_DOCUMENTS("kyc-documents"), TOKEN_METADATA("token-metadata"), USER_UPLOADS("user-uploads");

    private final String id;

    BucketRole(String id) {
        this.id = id;
    }

    /** The stable logical name services use in the internal API. */
    public String id() {
        return id;
    }

    public static Optional<BucketRole> fromId(String id) {
        for (BucketRole r : values()) {
            if (r.id.equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
