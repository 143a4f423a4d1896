package dev.strata.kyc.config;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything kyc-service reads from configuration ({@code strata.kyc.*}); see the README for each key. */
@ConfigMapping(prefix = "strata.kyc")
public interface KycConfig {

    /** How long an approval stays valid before the expiry job moves it to {@code expired}. */
    @WithDefault("P365D")
    Duration approvalValidity();

    Encryption encryption();

    Gateway gateway();

    Jobs jobs();

    Cache cache();

    Events events();

    /** Largest document a client may declare; the gateway's bucket limit still applies. */
    @WithDefault("10485760")
    long maxDocumentSize();

    /** Timeout for one database unit of work (statement, lock wait and commit together). */
    @WithDefault("PT5S")
    Duration dbTimeout();

    interface Encryption {
        /**
         * {@code <keyId>:<base64 of 32 bytes>}, comma-separated; the first encrypts, all decrypt (rotation: put the
         * new key first and keep the old ones until re-encrypted).
         */
        List<String> keys();
    }

    interface Gateway {
        /** storage-gateway base URL, e.g. {@code http://storage-gateway:8085}. */
        String url();

        /** Service credential for storage-gateway's {@code /internal/*}. */
        String token();

        @WithDefault("kyc-documents")
        String bucket();

        @WithDefault("PT10S")
        Duration timeout();
    }

    interface Jobs {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("PT15M")
        Duration expiryInterval();

        @WithDefault("PT1H")
        Duration reconcileInterval();

        /** Objects without a row are deleted only once older than this (an upload in flight has no row yet). */
        @WithDefault("PT24H")
        Duration orphanGrace();

        @WithDefault("PT30S")
        Duration queueGaugeInterval();
    }

    interface Cache {
        @WithDefault("PT5M")
        Duration statusTtl();

        @WithDefault("PT2S")
        Duration redisTimeout();
    }

    interface Events {
        @WithDefault("true")
        boolean relayEnabled();

        @WithDefault("PT0.5S")
        Duration relayInterval();

        /** Object deletions are retried until the gateway confirms; this is how long an unacked attempt waits. */
        @WithDefault("PT30S")
        Duration cleanupRetryAfter();

        @WithDefault("true")
        boolean cleanupEnabled();
    }
}
