package dev.strata.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.strata.platform.events.EventBus;
import dev.strata.platform.events.EventEnvelope;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EventBusTest {

    @Inject
    EventBus bus;

    @Inject
    RedisDataSource redis;

    record Received(String channel, EventEnvelope event) {
    }

    @Test
    void familySubscriptionReceivesEnvelopesPublishedOnAnyMember() throws Exception {
        LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        var subscriber = bus.subscribe("strata.test.*", (ch, e) -> inbox.add(new Received(ch, e)))
                .await().atMost(Duration.ofSeconds(5));
        try {
            // garbage on the channel is dropped, not delivered half-read
            redis.pubsub(String.class).publish("strata.test.noise", "{not json");
            EventEnvelope sent = EventEnvelope.of("test.decided", "user-42", Map.of("decision", "approved", "level", 2));
            bus.publish("strata.test.decided", sent).await().atMost(Duration.ofSeconds(5));
            bus.publish("strata.other.decided", EventEnvelope.of("other", "x", Map.of()))
                    .await().atMost(Duration.ofSeconds(5));

            Received got = inbox.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "no event received");
            assertEquals("strata.test.decided", got.channel());
            assertEquals(sent.id(), got.event().id());
            assertEquals("test.decided", got.event().type());
            assertEquals("user-42", got.event().subject());
            assertEquals(sent.occurredAt(), got.event().occurredAt());
            assertEquals("approved", got.event().data().get("decision"));
            assertEquals(2, ((Number) got.event().data().get("level")).intValue());
            assertEquals(null, inbox.poll(300, TimeUnit.MILLISECONDS), "only the family's events arrive");
        } finally {
            subscriber.unsubscribe().await().atMost(Duration.ofSeconds(5));
        }
    }
}
