package dev.strata.auth.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "strata.auth")
public interface AuthConfig {

    Argon2 argon2();

    Sessions sessions();

    Codes codes();

    Sms sms();

    OAuth oauth();

    Events events();

    Wallets wallets();

    Internal internal();

    Passkeys passkeys();

    PasswordResets passwordResets();

    /** Password reset links sent by e-mail. */
    interface PasswordResets {
        /** How long a link can be redeemed. */
        @WithDefault("PT30M")
        Duration ttl();

        /**
         * The link in the mail; {@code {token}} becomes the token. Points at the frontend's reset page, which posts
         * the new password to {@code POST /api/password-resets/{token}}.
         */
        @WithDefault("http://localhost:8080/reset-password#token={token}")
        String linkTemplate();

        @WithDefault("Reset your Strata password")
        String subject();
    }

    /** Passkeys (WebAuthn): who we are to authenticators, and which web origins may use them. */
    interface Passkeys {
        /**
         * The relying party id: the registrable domain the passkeys are bound to (e.g. {@code strata.dev}); every
         * origin must be this host or a subdomain of it. Changing it orphans every registered passkey.
         */
        @WithDefault("localhost")
        String rpId();

        /** Shown by the authenticator when the passkey is created. */
        @WithDefault("Strata")
        String rpName();

        /**
         * Web origins (scheme://host[:port]) whose pages may register and use passkeys: the {@code origin} in the
         * client data must be one of them. https, or http only on localhost.
         */
        @WithDefault("http://localhost:8081")
        java.util.List<String> origins();

        /** How long a registration or sign-in challenge can be answered (also the ceremony timeout we ask for). */
        @WithDefault("PT5M")
        Duration challengeTtl();
    }

    Totp totp();

    /** TOTP two-factor sign-in (RFC 6238: SHA-1, 6 digits, 30 s, what authenticator apps expect). */
    interface Totp {
        /**
         * Base64 of 32 random bytes: the AES-256-GCM key the TOTP secrets are encrypted with (from a Secret;
         * replicas share it). Unset: a key derived from the code pepper (dev/test without a pepper: random per
         * process). Ciphertexts name their key, so setting one later keeps older enrolments readable.
         */
        Optional<String> encryptionKey();

        /** Issuer shown in authenticator apps (the otpauth URI's label prefix and {@code issuer}). */
        @WithDefault("Strata")
        String issuer();

        /** How long the MFA challenge of a password sign-in can be redeemed with a code. */
        @WithDefault("PT5M")
        Duration challengeTtl();

        /** How many recovery codes a confirmation or regeneration hands out. */
        @WithDefault("10")
        int recoveryCodes();
    }

    /** Linked EVM wallets (proof of ownership by an EIP-191 signature over a one-time challenge). */
    interface Wallets {
        /** How long a challenge can be signed and redeemed. */
        @WithDefault("PT5M")
        Duration challengeTtl();
    }

    Timeouts timeouts();

    /** Deadlines of store calls (wallets, internal look-ups); past one the answer is a 503 problem, never a hang. */
    interface Timeouts {
        @WithDefault("PT2S")
        Duration redis();

        /** One PostgreSQL unit of work (a read, or a transaction). */
        @WithDefault("PT5S")
        Duration database();
    }

    /** Who may call auth-service's {@code /internal/*} endpoints (caller names of the platform's credentials). */
    interface Internal {
        /**
         * Callers of {@code GET /internal/users/{id}} and {@code /internal/users/by-wallet/{address}}: the e-mail
         * address of a user is personal data, so only the services that address users get it.
         */
        @WithDefault("settings,shared")
        java.util.Set<String> userReaders();
    }

    interface Events {
        /** Relays auth.outbox to Redis; off only in tests that stop the relay to prove durability. */
        @WithDefault("true")
        boolean relayEnabled();
    }

    /** Only for a local run over plain http: drops the cookie's Secure attribute. */
    @WithDefault("true")
    boolean cookieSecure();

    /** Whoever verifies this e-mail address becomes an admin (empty: nobody is bootstrapped). */
    Optional<String> bootstrapAdminEmail();

    /**
     * One-time token that makes its redeemer the first admin (POST /api/admin/bootstrap), from a Secret; when unset
     * a random one is generated and logged once at start-up.
     */
    Optional<String> bootstrapToken();

    /** argon2id cost; the defaults are the OWASP ASVS 5.0 minimum (19 MiB, t=2, p=1). */
    interface Argon2 {
        @WithDefault("19456")
        int memoryKib();

        @WithDefault("2")
        int iterations();

        @WithDefault("1")
        int parallelism();

        @WithDefault("16")
        int saltBytes();

        @WithDefault("32")
        int hashBytes();

        /**
         * Hashes running at once (default: the number of CPUs). Each takes memory-kib of heap, and more threads
         * than cores buy no throughput, so this bounds memory under a sign-in burst; the rest queue.
         */
        java.util.OptionalInt maxConcurrency();
    }

    interface Sessions {
        @WithDefault("P7D")
        Duration absoluteLifetime();

        /** Sliding idle timeout (0 disables it). */
        @WithDefault("P1D")
        Duration idleTimeout();

        /**
         * How often the times at which sessions were last checked (noted in Redis by every service's check) are
         * written to {@code sessions.last_seen_at}, in one batched update.
         */
        @WithDefault("PT30S")
        Duration lastSeenFlush();

        /**
         * {@code <keyId>:<base64 PKCS#8 Ed25519 private key>} that signs every session record (from a Secret; only
         * auth-service has it). Every service verifies with the public half ({@code strata.sessions.verify-keys}).
         */
        String signingKey();
    }

    interface Codes {
        /**
         * Server-side secret mixed into code hashes (HMAC-SHA256); from a Secret in production. When unset a
         * random one is made at start-up (fine for one local process; replicas must share a configured one).
         */
        Optional<String> pepper();

        @WithDefault("PT10M")
        Duration ttl();

        @WithDefault("5")
        int maxAttempts();

        /**
         * Guesses per identifier per day over every code sent to it: a new code does not reset this budget, so
         * nobody can brute-force an address's codes (e.g. the bootstrap admin's) by asking for more of them.
         */
        @WithDefault("20")
        int dailyAttempts();

        @WithDefault("Strata verification code")
        String emailSubject();
    }

    interface Sms {
        /** HTTP endpoint of the SMS provider: POST {"to","message"} as JSON. */
        Optional<String> url();

        /** Bearer credential for the provider, if it wants one. */
        Optional<String> apiKey();

        @WithDefault("PT5S")
        Duration timeout();
    }

    interface OAuth {
        /** Public base URL of this service used to build redirect URIs (default: the request's own base). */
        Optional<String> publicBaseUrl();

        @WithDefault("PT10M")
        Duration stateTtl();

        /** Issuer, discovered endpoints and the public base URL must be https (off only for local test servers). */
        @WithDefault("true")
        boolean requireHttps();

        Map<String, Provider> providers();

        interface Provider {
            /** OIDC issuer; its /.well-known/openid-configuration is read on first use. */
            String issuer();

            String clientId();

            Optional<String> clientSecret();

            @WithDefault("openid email profile")
            String scope();
        }
    }
}
