package dev.strata.platform.problem;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** Builds problem responses. */
public final class Problems {

    private Problems() {
    }

    public static Response response(ProblemType type, String detail, String instance) {
        return response(type.status(), type.uri(), type.title(), detail, instance, null, Map.of());
    }

    public static Response response(int status, String typeUri, String title, String detail, String instance,
            List<Problem.FieldError> errors, Map<String, String> headers) {
        Response.ResponseBuilder b = Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem(typeUri, title, status, detail, instance, errors));
        headers.forEach(b::header);
        return b.build();
    }

    public static Response of(ProblemException e, String instance) {
        return response(e.type().status(), e.typeUri(), e.type().title(), e.getMessage(), instance, e.errors(),
                e.headers());
    }
}
