package dev.strata.settings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.strata.platform.events.EventEnvelope;
import dev.strata.platform.events.stream.DurableConsumer;
import dev.strata.platform.security.SessionStore;
import dev.strata.platform.testsupport.TestSessions;
import dev.strata.settings.service.EventConsumers;
import dev.strata.testing.StrataServersResource;

/**
 * The consumers start stopped (as if settings-service were down): events written meanwhile wait in the streams
 * and arrive, once, when the consumers run.
 */
@QuarkusTest
@TestProfile(InboxDurabilityTest.ConsumersStopped.class)
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InboxDurabilityTest {

    public static class ConsumersStopped implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.settings.events.consumers-enabled", "false");
        }
    }

    @Inject
    SessionStore sessions;
    @Inject
    RedisDataSource redis;
    @Inject
    EventConsumers consumers;

    @Test
    void anEventWrittenWhileTheServiceIsDownIsDeliveredOnceAfterItStarts() throws Exception {
        TestSessions.Minted me = TestSessions.mint(sessions, "user");
        EventEnvelope decision = Events.kycDecision(me.record().userId(), "additional_info_required");
        Events.xadd(redis, decision);
        Events.xadd(redis, Events.account(me.record().userId(), "password_changed"));
        // nobody consumes: nothing arrives
        given().auth().oauth2(me.token()).get("/api/notifications").then().body("items", hasSize(0));

        // the service comes back: each consumer catches up from where its group stopped
        int handled = 0;
        for (DurableConsumer c : consumers.consumers()) {
            handled += c.pollOnce().await().atMost(Duration.ofSeconds(10));
        }
        assertTrue(handled >= 2, "handled " + handled);
        given().auth().oauth2(me.token()).get("/api/notifications").then().body("items", hasSize(2))
                .body("unread", equalTo(2));
        // a redelivery of the same event (the relay retried after a lost acknowledgement) changes nothing
        Events.xadd(redis, decision);
        for (DurableConsumer c : consumers.consumers()) {
            c.pollOnce().await().atMost(Duration.ofSeconds(10));
        }
        given().auth().oauth2(me.token()).get("/api/notifications").then().body("items", hasSize(2));
    }
}
