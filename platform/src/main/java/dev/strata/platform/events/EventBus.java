package dev.strata.platform.events;

import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.smallrye.mutiny.Uni;

/**
 * Publishes and subscribes {@link EventEnvelope}s over Redis pub/sub. Families ({@code strata.kyc.*}) use
 * PSUBSCRIBE. A message that is not a valid envelope is logged and dropped, never passed on half-read.
 */
@ApplicationScoped
public class EventBus {

    private static final Logger LOG = Logger.getLogger(EventBus.class);

    private final ReactivePubSubCommands<String> pubsub;
    private final ObjectMapper json;

    public EventBus(ReactiveRedisDataSource redis, ObjectMapper json) {
        this.pubsub = redis.pubsub(String.class);
        this.json = json;
    }

    public Uni<Void> publish(String channel, EventEnvelope event) {
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event data is not serializable", e));
        }
        return pubsub.publish(channel, payload);
    }

    /**
     * Subscribes to a channel pattern; the handler gets the concrete channel and the envelope. A name without glob
     * characters is a plain SUBSCRIBE: Redis ACLs match PSUBSCRIBE patterns literally against the allowed channel
     * patterns, so a pattern-subscription to one concrete channel would be refused where subscribing to it is not.
     */
    public Uni<ReactiveRedisSubscriber> subscribe(String pattern, BiConsumer<String, EventEnvelope> handler) {
        BiConsumer<String, String> onMessage = (channel, payload) -> {
            EventEnvelope e;
            try {
                e = json.readValue(payload, EventEnvelope.class);
            } catch (JsonProcessingException ex) {
                LOG.warnf("dropping a message on %s that is not an event envelope", channel);
                return;
            }
            try {
                handler.accept(channel, e);
            } catch (RuntimeException ex) {
                LOG.errorf(ex, "handler for %s failed on event %s", channel, e.id());
            }
        };
        boolean glob = pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        return glob ? pubsub.subscribeToPattern(pattern, onMessage)
                : pubsub.subscribe(java.util.List.of(pattern), onMessage);
    }
}
