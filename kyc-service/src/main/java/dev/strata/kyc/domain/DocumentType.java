package dev.strata.kyc.domain;

import java.util.Arrays;
import java.util.Optional;

public enum DocumentType {
    ID_FRONT("id_front"),
    ID_BACK("id_back"),
    SELFIE("selfie"),
    PROOF_OF_ADDRESS("proof_of_address");

    private final String id;

    DocumentType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<DocumentType> fromId(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
    }
}
