package dev.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import dev.strata.auth.config.AuthConfig;
import dev.strata.auth.service.IdTokens;
import dev.strata.platform.problem.ProblemException;

/**
 * Each ID token check on its own: a token right in every respect but one is refused, and says which. The
 * end-to-end flows (OAuthTest) prove the checks run on what the real provider returns.
 */
class IdTokensTest {

    static final String ISSUER = "https://idp.example";
    static final String CLIENT = "strata";
    static final String NONCE = "n-0S6_WzA2Mj";
    static final RSAKey KEY = generate("k1");
    static final RSAKey STRANGER = generate("k1");
    static final String JWKS = new JWKSet(KEY.toPublicJWK()).toString();
    static final Date NOW = new Date();

    static RSAKey generate(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JWTClaimsSet.Builder good() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(CLIENT).subject("user-1").claim("nonce", NONCE)
                .issueTime(NOW).expirationTime(new Date(NOW.getTime() + 300_000));
    }

    static String signed(JWTClaimsSet.Builder claims, RSAKey key, JWSAlgorithm alg) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static String token(Consumer<JWTClaimsSet.Builder> change) throws Exception {
        JWTClaimsSet.Builder b = good();
        change.accept(b);
        return signed(b, KEY, JWSAlgorithm.RS256);
    }

    static String refusal(String token) {
        ProblemException e = assertThrows(ProblemException.class,
                () -> IdTokens.verify(token, JWKS, ISSUER, CLIENT, NONCE, NOW));
        assertEquals("https://strata.dev/problems/auth/oauth-provider-error", e.typeUri());
        return e.getMessage();
    }

    @Test
    void aTokenRightInEveryRespectIsAccepted() throws Exception {
        assertEquals("user-1", IdTokens.verify(token(b -> {
        }), JWKS, ISSUER, CLIENT, NONCE, NOW).getSubject());
    }

    @Test
    void eachWrongClaimIsRefusedForItsOwnReason() throws Exception {
        assertEquals("ID token issuer does not match the provider",
                refusal(token(b -> b.issuer("https://evil.example"))));
        assertEquals("ID token audience does not include this client", refusal(token(b -> b.audience("other"))));
        assertEquals("ID token audience does not include this client",
                refusal(token(b -> b.audience(List.of(CLIENT, "other")).claim("azp", "other"))));
        assertEquals("ID token has expired",
                refusal(token(b -> b.expirationTime(new Date(NOW.getTime() - Duration.ofMinutes(2).toMillis())))));
        assertEquals("ID token has expired", refusal(token(b -> b.expirationTime(null))));
        assertEquals("ID token is issued in the future",
                refusal(token(b -> b.issueTime(new Date(NOW.getTime() + Duration.ofMinutes(5).toMillis())))));
        assertEquals("ID token nonce does not match this sign-in", refusal(token(b -> b.claim("nonce", "replayed"))));
        assertEquals("ID token names no subject", refusal(token(b -> b.subject(null))));
        // within the tolerated clock skew: still fine
        IdTokens.verify(token(b -> b.expirationTime(new Date(NOW.getTime() - 30_000))), JWKS, ISSUER, CLIENT, NONCE,
                NOW);
    }

    @Test
    void algorithmKeyAndSignatureAreChecked() throws Exception {
        // "none": no signature at all
        assertTrue(refusal(new PlainJWT(good().build()).serialize()).contains("could not be read"));
        // HS256 keyed with something public (the classic key-confusion attack)
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), good().build());
        hmac.sign(new MACSigner(new byte[32]));
        assertEquals("ID token signed with an unaccepted algorithm", refusal(hmac.serialize()));
        // the right key id, the wrong private key
        assertEquals("ID token signature is invalid", refusal(signed(good(), STRANGER, JWSAlgorithm.RS256)));
        // a key id the provider never published
        assertEquals("ID token signed with an unknown key", refusal(signed(good(), generate("k2"), JWSAlgorithm.RS256)));
        // a valid token with one claim altered after signing
        String[] parts = token(b -> {
        }).split("\\.");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                good().subject("admin").build().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "."
                + parts[2];
        assertEquals("ID token signature is invalid", refusal(forged));
    }

    @Test
    void productionRefusesRedirectsFromTheHostHeaderAndPlainHttp() throws Exception {
        var check = OAuthChecks.method();
        Map<String, AuthConfig.OAuth.Provider> one = Map.of("google", provider("https://accounts.google.com"));
        // no public base URL with a provider configured: production refuses to start
        assertTrue(OAuthChecks.refusal(check, oauth(Optional.empty(), one, true), true)
                .contains("public-base-url must be set"));
        // http issuer, http base URL: refused where https is required
        assertTrue(OAuthChecks.refusal(check, oauth(Optional.of("https://strata.example"),
                Map.of("x", provider("http://idp.example")), true), true).contains("must be an https URL"));
        assertTrue(OAuthChecks.refusal(check, oauth(Optional.of("http://strata.example"), one, true), true)
                .contains("must be an https URL"));
        // dev/test: the request's base and a local plain-http provider are allowed
        check.invoke(null, oauth(Optional.empty(), Map.of("mock", provider("http://127.0.0.1:9999/mock")), false),
                false);
        check.invoke(null, oauth(Optional.of("https://strata.example"), one, true), true);
    }

    /** Reaches OAuthService's package-private start-up check without widening it. */
    static final class OAuthChecks {
        static java.lang.reflect.Method method() throws Exception {
            var m = Class.forName("dev.strata.auth.service.OAuthService").getDeclaredMethod("checkConfiguration",
                    AuthConfig.OAuth.class, boolean.class);
            m.setAccessible(true);
            return m;
        }

        static String refusal(java.lang.reflect.Method m, AuthConfig.OAuth config, boolean production) {
            var e = assertThrows(java.lang.reflect.InvocationTargetException.class,
                    () -> m.invoke(null, config, production));
            assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
            return e.getCause().getMessage();
        }
    }

    static AuthConfig.OAuth.Provider provider(String issuer) {
        return new AuthConfig.OAuth.Provider() {
            public String issuer() {
                return issuer;
            }

            public String clientId() {
                return CLIENT;
            }

            public Optional<String> clientSecret() {
                return Optional.empty();
            }

            public String scope() {
                return "openid email";
            }
        };
    }

    static AuthConfig.OAuth oauth(Optional<String> base, Map<String, AuthConfig.OAuth.Provider> providers,
            boolean https) {
        return new AuthConfig.OAuth() {
            public Optional<String> publicBaseUrl() {
                return base;
            }

            public Duration stateTtl() {
                return Duration.ofMinutes(10);
            }

            public boolean requireHttps() {
                return https;
            }

            public Map<String, Provider> providers() {
                return providers;
            }
        };
    }
}
