package dev.strata.platform.problem;

import java.util.List;
import java.util.Map;

/**
 * Thrown (or failed with) by services to answer with a problem document. Domain code chooses the type and a
 * detail safe to show a client; nothing else of the failure reaches the response.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final String customType;
    private final List<Problem.FieldError> errors;
    private final Map<String, String> headers;

    public ProblemException(ProblemType type, String detail) {
        this(type, null, detail, null, Map.of(), null);
    }

    public ProblemException(ProblemType type, String detail, Throwable cause) {
        this(type, null, detail, null, Map.of(), cause);
    }

    /**
     * @param customType a more specific stable type URI (e.g. {@code https://strata.dev/problems/kyc/invalid-transition}),
     *                   or null for the generic one of {@code type}
     */
    public ProblemException(ProblemType type, String customType, String detail, List<Problem.FieldError> errors,
            Map<String, String> headers, Throwable cause) {
        super(detail, cause, false, cause != null);
        this.type = type;
        this.customType = customType;
        this.errors = errors;
        this.headers = headers == null ? Map.of() : headers;
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(ProblemType.NOT_FOUND, detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(ProblemType.CONFLICT, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(ProblemType.FORBIDDEN, detail);
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(ProblemType.UNPROCESSABLE, detail);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(ProblemType.BAD_REQUEST, detail);
    }

    public static ProblemException invalidField(String field, String message) {
        return new ProblemException(ProblemType.VALIDATION, null, "Request validation failed",
                List.of(new Problem.FieldError(field, message)), Map.of(), null);
    }

    public static ProblemException unauthenticated(String detail) {
        return new ProblemException(ProblemType.UNAUTHENTICATED, detail);
    }

    public static ProblemException dependencyDown(String dependency, Throwable cause) {
        return new ProblemException(ProblemType.DEPENDENCY_UNAVAILABLE, dependency + " is unavailable", cause);
    }

    public ProblemType type() {
        return type;
    }

    public String typeUri() {
        return customType != null ? customType : type.uri();
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
