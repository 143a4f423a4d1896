package dev.strata.platform.problem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/** Every error path of a Strata service ends here as {@code application/problem+json}: no stack trace, no class name. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final Map<String, String> BEARER_CHALLENGE = Map.of("WWW-Authenticate", "Bearer");

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.type().status() >= 500) {
            LOG.warnf(e.getCause(), "%s on %s: %s", e.type().status(), path(uri), e.getMessage());
        }
        return Problems.of(e, path(uri));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        // a resource returning an invalid value is our bug, not the client's
        boolean returnValue = e.getConstraintViolations().stream().anyMatch(v -> {
            for (Path.Node n : v.getPropertyPath()) {
                if (n.getKind() == ElementKind.RETURN_VALUE) {
                    return true;
                }
            }
            return false;
        });
        if (returnValue) {
            return unexpected(e, uri);
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldName(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message));
        return Problems.response(400, ProblemType.VALIDATION.uri(), ProblemType.VALIDATION.title(),
                "One or more fields are invalid", path(uri), errors, Map.of());
    }

    @ServerExceptionMapper(value = {JsonProcessingException.class, MismatchedInputException.class,
            InvalidFormatException.class, UnrecognizedPropertyException.class, ValueInstantiationException.class,
            JsonMappingException.class}, priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response malformedJson(Exception e, UriInfo uri) {
        List<Problem.FieldError> errors = null;
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            String field = jsonPath(jme.getPath());
            errors = List.of(new Problem.FieldError(field, e instanceof UnrecognizedPropertyException
                    ? "unknown field" : "has the wrong type or format"));
        }
        return Problems.response(400, ProblemType.MALFORMED_BODY.uri(), ProblemType.MALFORMED_BODY.title(),
                "The request body could not be read as the expected JSON document", path(uri), errors, Map.of());
    }

    @ServerExceptionMapper(value = {UnauthorizedException.class, AuthenticationFailedException.class,
            AuthenticationCompletionException.class}, priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response unauthenticated(Exception e, UriInfo uri) {
        return Problems.response(401, ProblemType.UNAUTHENTICATED.uri(), ProblemType.UNAUTHENTICATED.title(),
                "A valid session is required", path(uri), null, BEARER_CHALLENGE);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problems.response(ProblemType.FORBIDDEN, "You are not allowed to do this", path(uri));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response web(WebApplicationException e, UriInfo uri) {
        // the JSON reader wraps parse errors into a plain 400
        if (e.getCause() instanceof JsonProcessingException jpe) {
            return malformedJson(jpe, uri);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri);
        }
        ProblemType type = ProblemType.forStatus(status);
        Response.ResponseBuilder b = Response.fromResponse(Problems.response(type, detailFor(type), path(uri)));
        if (e.getResponse() != null && e.getResponse().getHeaderString("Allow") != null) {
            b.header("Allow", e.getResponse().getHeaderString("Allow"));
        }
        return b.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 100)
    public Response unexpected(Throwable e, UriInfo uri) {
        // the id ties the client's report to the log line; the client never sees the exception itself
        String id = UUID.randomUUID().toString();
        if (storeUnreachable(e)) {
            // a store call without its own translation: still the client's "try again", not our bug
            LOG.warnf("store unreachable %s on %s: %s", id, path(uri), e.toString());
            return Problems.response(503, ProblemType.DEPENDENCY_UNAVAILABLE.uri(),
                    ProblemType.DEPENDENCY_UNAVAILABLE.title(), "A store is unavailable, reference " + id, path(uri),
                    null, Map.of("Retry-After", "5"));
        }
        LOG.errorf(e, "unexpected error %s on %s", id, path(uri));
        return Problems.response(500, ProblemType.INTERNAL.uri(), ProblemType.INTERNAL.title(),
                "Unexpected error, reference " + id, path(uri), null, Map.of());
    }

    /** Connection refused, reset or closed, or a deadline passed, anywhere in the cause chain. */
    static boolean storeUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            if (t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException
                    || name.equals("io.vertx.sqlclient.ClosedConnectionException")
                    || name.equals("io.netty.channel.ConnectTimeoutException")
                    || name.equals("io.vertx.core.http.ConnectionPoolTooBusyException")
                    || name.endsWith("AnnotatedConnectException")) {
                return true;
            }
        }
        return false;
    }

    private static String detailFor(ProblemType type) {
        return switch (type) {
            case NOT_FOUND -> "No such resource";
            case METHOD_NOT_ALLOWED -> "This method is not allowed on this resource";
            case UNSUPPORTED_MEDIA_TYPE -> "This content type is not accepted here";
            case NOT_ACCEPTABLE -> "No acceptable representation";
            case PAYLOAD_TOO_LARGE -> "The request body is too large";
            default -> "The request could not be processed";
        };
    }

    static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }

    /** {@code create.request.email} becomes {@code email}; nested beans keep their dotted path. */
    static String fieldName(Path path) {
        List<Path.Node> nodes = new ArrayList<>();
        for (Path.Node n : path) {
            if (n.getKind() != ElementKind.METHOD && n.getKind() != ElementKind.CONSTRUCTOR) {
                nodes.add(n);
            }
        }
        // a body parameter's own name says nothing to a client: drop it when a property follows
        if (nodes.size() > 1 && nodes.get(0).getKind() == ElementKind.PARAMETER) {
            nodes.remove(0);
        }
        List<String> parts = new ArrayList<>();
        for (Path.Node n : nodes) {
            if (n.getName() == null || n.getName().startsWith("<")) {
                if (n.getIndex() != null && !parts.isEmpty()) {
                    parts.set(parts.size() - 1, parts.get(parts.size() - 1) + "[" + n.getIndex() + "]");
                }
                continue;
            }
            parts.add(n.getIndex() != null ? n.getName() + "[" + n.getIndex() + "]" : n.getName());
        }
        return parts.isEmpty() ? "body" : String.join(".", parts);
    }

    private static String jsonPath(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "body" : sb.toString();
    }
}
