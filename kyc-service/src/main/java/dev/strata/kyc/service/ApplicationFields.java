package dev.strata.kyc.service;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.strata.kyc.domain.DocumentType;
import dev.strata.kyc.domain.KycApplication;
import dev.strata.kyc.domain.KycDocument;
import dev.strata.platform.problem.Problem;
import dev.strata.platform.problem.ProblemException;
import dev.strata.platform.problem.ProblemType;

/**
 * The applicant's fields as a JSON merge patch (RFC 7396): a present key sets the field, {@code null} clears it, an
 * absent key leaves it alone. Every problem in a body is reported at once; nothing is applied unless all is valid.
 */
public final class ApplicationFields {

    public static final String INCOMPLETE = "https://strata.dev/problems/kyc/incomplete";

    private static final Set<String> FIELDS = Set.of("applicantType", "legalName", "dateOfBirth", "nationality",
            "residenceCountry", "address", "idDocumentType", "nationalIdNumber", "taxIdNumber");
    private static final Set<String> ADDRESS_FIELDS = Set.of("line1", "line2", "city", "postalCode", "region");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final Pattern ID_NUMBER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ./-]{2,38}[A-Za-z0-9]");
    private static final Pattern POSTAL_CODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 -]{0,18}[A-Za-z0-9]?");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final LocalDate EARLIEST_BIRTH = LocalDate.of(1900, 1, 1);

    private ApplicationFields() {
    }

    /** Validates then applies {@code patch} to {@code app}; {@code creating} requires {@code applicantType}. */
    public static void apply(JsonNode patch, KycApplication app, FieldCipher cipher, boolean creating) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (patch == null || !patch.isObject()) {
            throw new ProblemException(ProblemType.VALIDATION, null, "Request validation failed",
                    List.of(new Problem.FieldError("body", "must be a JSON object")), Map.of(), null);
        }
        for (Iterator<String> it = patch.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(new Problem.FieldError(f, "unknown field"));
            }
        }
        if (creating && !patch.hasNonNull("applicantType")) {
            errors.add(new Problem.FieldError("applicantType", "must be individual or entity"));
        }
        // validate everything first, then apply: a body with one bad field changes nothing
        String applicantType = text(patch, "applicantType", errors, 20);
        if (applicantType != null && !KycApplication.APPLICANT_TYPES.contains(applicantType)) {
            errors.add(new Problem.FieldError("applicantType", "must be individual or entity"));
        } else if (!creating && patch.has("applicantType") && patch.get("applicantType").isNull()) {
            errors.add(new Problem.FieldError("applicantType", "cannot be cleared"));
        }
        String legalName = text(patch, "legalName", errors, 200);
        LocalDate dateOfBirth = null;
        String dob = text(patch, "dateOfBirth", errors, 10);
        if (dob != null) {
            try {
                dateOfBirth = LocalDate.parse(dob);
                if (dateOfBirth.isBefore(EARLIEST_BIRTH) || dateOfBirth.isAfter(LocalDate.now().minusYears(18))) {
                    errors.add(new Problem.FieldError("dateOfBirth", "the applicant must be at least 18 years old"));
                }
            } catch (DateTimeParseException e) {
                errors.add(new Problem.FieldError("dateOfBirth", "must be a date like 1990-04-30"));
            }
        }
        String nationality = country(patch, "nationality", errors);
        String residence = country(patch, "residenceCountry", errors);
        String idType = text(patch, "idDocumentType", errors, 30);
        if (idType != null && !KycApplication.ID_DOCUMENT_TYPES.contains(idType)) {
            errors.add(new Problem.FieldError("idDocumentType", "must be one of " + String.join(", ",
                    KycApplication.ID_DOCUMENT_TYPES)));
        }
        String nationalId = idNumber(patch, "nationalIdNumber", errors);
        String taxId = idNumber(patch, "taxIdNumber", errors);
        String[] address = null;
        JsonNode a = patch.get("address");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) {
                errors.add(new Problem.FieldError("address", "must be an object"));
            } else {
                for (Iterator<String> it = a.fieldNames(); it.hasNext();) {
                    String f = it.next();
                    if (!ADDRESS_FIELDS.contains(f)) {
                        errors.add(new Problem.FieldError("address." + f, "unknown field"));
                    }
                }
                address = new String[] {text(a, "line1", "address.line1", errors, 200),
                        text(a, "line2", "address.line2", errors, 200), text(a, "city", "address.city", errors, 100),
                        text(a, "postalCode", "address.postalCode", errors, 20),
                        text(a, "region", "address.region", errors, 100)};
                if (address[3] != null && !POSTAL_CODE.matcher(address[3]).matches()) {
                    errors.add(new Problem.FieldError("address.postalCode", "must be letters, digits, spaces or '-'"));
                }
            }
        }
        if (!errors.isEmpty()) {
            errors.sort((x, y) -> x.field().compareTo(y.field()));
            throw new ProblemException(ProblemType.VALIDATION, null, "One or more fields are invalid", errors, Map.of(),
                    null);
        }
        if (patch.has("applicantType")) {
            app.applicantType = applicantType;
        }
        if (patch.has("legalName")) {
            app.legalName = legalName;
        }
        if (patch.has("dateOfBirth")) {
            app.dateOfBirth = dateOfBirth;
        }
        if (patch.has("nationality")) {
            app.nationality = nationality;
        }
        if (patch.has("residenceCountry")) {
            app.residenceCountry = residence;
        }
        if (patch.has("idDocumentType")) {
            app.idDocumentType = idType;
        }
        if (patch.has("address")) {
            // merge semantics inside the address too: absent keys stay, null clears
            if (a.isNull()) {
                app.addressLine1 = app.addressLine2 = app.city = app.postalCode = app.region = null;
            } else {
                app.addressLine1 = a.has("line1") ? address[0] : app.addressLine1;
                app.addressLine2 = a.has("line2") ? address[1] : app.addressLine2;
                app.city = a.has("city") ? address[2] : app.city;
                app.postalCode = a.has("postalCode") ? address[3] : app.postalCode;
                app.region = a.has("region") ? address[4] : app.region;
            }
        }
        if (patch.has("nationalIdNumber")) {
            FieldCipher.Sealed s = nationalId == null ? null : cipher.seal(nationalId, context(app, "national_id"));
            app.nationalIdCipher = s == null ? null : s.data();
            app.nationalIdKeyId = s == null ? null : s.keyId();
        }
        if (patch.has("taxIdNumber")) {
            FieldCipher.Sealed s = taxId == null ? null : cipher.seal(taxId, context(app, "tax_id"));
            app.taxIdCipher = s == null ? null : s.data();
            app.taxIdKeyId = s == null ? null : s.keyId();
        }
    }

    /** Binds a ciphertext to its application and column. */
    public static String context(KycApplication app, String column) {
        return "kyc_applications/" + app.id + "/" + column;
    }

    /** What is still missing before the application can be submitted; empty when complete. */
    public static List<Problem.FieldError> missingForSubmission(KycApplication app, List<KycDocument> documents) {
        List<Problem.FieldError> missing = new ArrayList<>();
        boolean individual = KycApplication.INDIVIDUAL.equals(app.applicantType);
        require(missing, app.legalName, "legalName");
        if (individual) {
            require(missing, app.dateOfBirth, "dateOfBirth");
            require(missing, app.nationality, "nationality");
            require(missing, app.nationalIdCipher, "nationalIdNumber");
        } else {
            require(missing, app.taxIdCipher, "taxIdNumber");
        }
        require(missing, app.residenceCountry, "residenceCountry");
        require(missing, app.addressLine1, "address.line1");
        require(missing, app.city, "address.city");
        require(missing, app.postalCode, "address.postalCode");
        require(missing, app.idDocumentType, "idDocumentType");
        List<DocumentType> needed = new ArrayList<>(List.of(DocumentType.ID_FRONT, DocumentType.SELFIE,
                DocumentType.PROOF_OF_ADDRESS));
        if (!"passport".equals(app.idDocumentType)) {
            needed.add(DocumentType.ID_BACK);
        }
        for (DocumentType t : needed) {
            boolean done = documents.stream().anyMatch(d -> d.documentType.equals(t.id()) && d.uploaded());
            if (!done) {
                missing.add(new Problem.FieldError("documents." + t.id(), "a completed upload is required"));
            }
        }
        return missing;
    }

    private static void require(List<Problem.FieldError> missing, Object value, String field) {
        if (value == null) {
            missing.add(new Problem.FieldError(field, "is required before submission"));
        }
    }

    private static String text(JsonNode node, String field, List<Problem.FieldError> errors, int max) {
        return text(node, field, field, errors, max);
    }

    private static String text(JsonNode node, String field, String path, List<Problem.FieldError> errors, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new Problem.FieldError(path, "must be a string"));
            return null;
        }
        String s = v.asText().strip();
        if (s.isEmpty()) {
            errors.add(new Problem.FieldError(path, "must not be blank (send null to clear it)"));
            return null;
        }
        if (s.length() > max) {
            errors.add(new Problem.FieldError(path, "must be at most " + max + " characters"));
            return null;
        }
        if (CONTROL.matcher(s).find()) {
            errors.add(new Problem.FieldError(path, "must not contain control characters"));
            return null;
        }
        if (s.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE)) {
            // a lone UTF-16 surrogate is not text: PostgreSQL would store a replacement character instead
            errors.add(new Problem.FieldError(path, "must be valid Unicode text"));
            return null;
        }
        return s;
    }

    private static String country(JsonNode node, String field, List<Problem.FieldError> errors) {
        String c = text(node, field, errors, 2);
        if (c == null) {
            return null;
        }
        String upper = c.toUpperCase(Locale.ROOT);
        if (c.length() != 2 || !COUNTRIES.contains(upper)) {
            errors.add(new Problem.FieldError(field, "must be an ISO 3166-1 alpha-2 country code like DE"));
            return null;
        }
        return upper;
    }

    private static String idNumber(JsonNode node, String field, List<Problem.FieldError> errors) {
        String s = text(node, field, errors, 40);
        if (s != null && !ID_NUMBER.matcher(s).matches()) {
            errors.add(new Problem.FieldError(field, "must be 4 to 40 letters, digits, spaces, '.', '/' or '-'"));
            return null;
        }
        return s;
    }
}
