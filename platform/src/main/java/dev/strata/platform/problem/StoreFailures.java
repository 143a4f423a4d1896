package dev.strata.platform.problem;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.smallrye.mutiny.Uni;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;


/**
 * Turns PostgreSQL failures into what a client should see: a timeout, a lost connection, a statement or lock timeout
 * is a 503 problem naming the store, never a 500. Needs the reactive pg client on the class path (services with a
 * database).
 */
public final class StoreFailures {

    private StoreFailures() {
    }

    /** {@code call} with a deadline; a timeout or a store failure becomes the 503 problem naming {@code store}. */
    public static <T> Uni<T> bounded(Uni<T> call, Duration timeout, String store) {
        return call.ifNoItem().after(timeout).failWith(TimeoutException::new)
                .onFailure().transform(e -> translate(e, store));
    }

    public static Throwable translate(Throwable e, String store) {
        if (e instanceof ProblemException) {
            return e;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return p;
            }
            if (t instanceof TimeoutException || t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
                return ProblemException.dependencyDown(store, e);
            }
            String state = t instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if (state != null && (state.startsWith("08") || state.equals("57014") || state.equals("55P03")
                    || state.startsWith("53"))) {
                return ProblemException.dependencyDown(store, e);
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().equals("57014")
                            || pg.getSqlState().equals("55P03") || pg.getSqlState().startsWith("53"))) {
                // connection exceptions, statement/lock timeouts, out of resources
                return ProblemException.dependencyDown(store, e);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e;
    }

    /** True when {@code e} is the violation of the named unique index. */
    public static boolean uniqueViolation(Throwable e, String index) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && "23505".equals(pg.getSqlState())
                    && (pg.getConstraint() == null || pg.getConstraint().equals(index)
                            || String.valueOf(pg.getErrorMessage()).contains(index))) {
                return true;
            }
            // Hibernate Reactive reports it as a JDBC-style exception
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())
                    && String.valueOf(sql.getMessage()).contains(index)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
