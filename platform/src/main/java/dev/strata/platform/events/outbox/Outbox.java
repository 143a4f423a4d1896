package dev.strata.platform.events.outbox;

import java.util.regex.Pattern;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

import dev.strata.platform.events.EventEnvelope;

/**
 * Writes event rows in the caller's transaction, so an event exists exactly when the change it announces has
 * committed. Not a bean: services without a database use the platform too; each service creates its own with its
 * schema-qualified table (see the platform README for the DDL).
 */
public final class Outbox {

    static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)+");

    private final String insert;
    private final ObjectMapper json;

    public Outbox(String table, ObjectMapper json) {
        this.insert = "insert into " + checkTable(table)
                + " (event_id, family, channel, type, subject, payload) values (?1, ?2, ?3, ?4, ?5, cast(cast(?6 as text) as jsonb))";
        this.json = json;
    }

    /** Appends one row with the session of the caller's transaction. */
    public Uni<Void> append(Mutiny.Session session, EventEnvelope event) {
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event data is not serializable", e));
        }
        return session.createNativeQuery(insert)
                .setParameter(1, event.id())
                .setParameter(2, family(event.type()))
                .setParameter(3, channel(event.type()))
                .setParameter(4, event.type())
                .setParameter(5, event.subject())
                .setParameter(6, payload)
                .executeUpdate()
                .replaceWithVoid();
    }

    /** {@code kyc.approved} → {@code kyc}. */
    public static String family(String type) {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("event type must look like <family>.<event>: " + type);
        }
        return type.substring(0, type.indexOf('.'));
    }

    /** The pub/sub channel of a type: {@code kyc.approved} → {@code strata.kyc.approved}. */
    public static String channel(String type) {
        family(type);
        return "strata." + type;
    }

    /** The durable stream of a family: {@code kyc} → {@code strata:events:kyc}. */
    public static String stream(String family) {
        return "strata:events:" + family;
    }

    static String checkTable(String table) {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("outbox table must be [schema.]name in lower case: " + table);
        }
        return table;
    }
}
