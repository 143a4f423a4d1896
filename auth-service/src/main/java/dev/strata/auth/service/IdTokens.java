package dev.strata.auth.service;

import java.text.ParseException;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.strata.platform.problem.ProblemException;

/**
 * The checks an OIDC ID token must pass (OIDC Core 3.1.3.7), one by one so each refusal says which failed: an
 * asymmetric algorithm we accept (never {@code none} or an HMAC keyed by a public key), a key of the provider's
 * JWKS, a valid signature, then issuer, audience, expiry, nonce and subject.
 */
public final class IdTokens {

    static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384);
    /** Clock skew tolerated between the provider and us. */
    static final long SKEW_MS = 60_000;

    private IdTokens() {
    }

    public static JWTClaimsSet verify(String idToken, String jwks, String issuer, String clientId, String nonce,
            Date now) {
        try {
            SignedJWT jwt;
            try {
                jwt = SignedJWT.parse(idToken);
            } catch (ParseException e) {
                // an unsigned ("alg": "none") token is not a SignedJWT at all
                throw OAuthService.providerError("ID token could not be read (unsigned or malformed)");
            }
            if (!ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
                throw OAuthService.providerError("ID token signed with an unaccepted algorithm");
            }
            JWKSet keys = JWKSet.parse(jwks);
            String kid = jwt.getHeader().getKeyID();
            JWK key = kid != null ? keys.getKeyByKeyId(kid)
                    : keys.getKeys().stream().filter(k -> k instanceof AsymmetricJWK).findFirst().orElse(null);
            if (!(key instanceof AsymmetricJWK asym)) {
                throw OAuthService.providerError("ID token signed with an unknown key");
            }
            JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(),
                    asym.toPublicKey());
            if (!jwt.verify(verifier)) {
                throw OAuthService.providerError("ID token signature is invalid");
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            if (!issuer.equals(c.getIssuer())) {
                throw OAuthService.providerError("ID token issuer does not match the provider");
            }
            if (c.getAudience() == null || !c.getAudience().contains(clientId)) {
                throw OAuthService.providerError("ID token audience does not include this client");
            }
            // several audiences: the authorized party must be us (OIDC Core 3.1.3.7 items 4 and 5)
            if (c.getAudience().size() > 1 && !clientId.equals(claim(c, "azp"))) {
                throw OAuthService.providerError("ID token audience does not include this client");
            }
            if (c.getExpirationTime() == null || c.getExpirationTime().getTime() + SKEW_MS <= now.getTime()) {
                throw OAuthService.providerError("ID token has expired");
            }
            if (c.getIssueTime() != null && c.getIssueTime().getTime() - SKEW_MS > now.getTime()) {
                throw OAuthService.providerError("ID token is issued in the future");
            }
            if (nonce == null || !nonce.equals(claim(c, "nonce"))) {
                throw OAuthService.providerError("ID token nonce does not match this sign-in");
            }
            if (c.getSubject() == null || c.getSubject().isBlank()) {
                throw OAuthService.providerError("ID token names no subject");
            }
            return c;
        } catch (ParseException | JOSEException e) {
            throw OAuthService.providerError("ID token could not be read");
        }
    }

    static String claim(JWTClaimsSet c, String name) {
        Object v = c.getClaim(name);
        return v instanceof String s ? s : null;
    }

    /** Outside tests, every provider URL (issuer, endpoints, keys) must be https: a token over http is anyone's. */
    static void requireHttps(String what, String url, boolean required) {
        if (!required) {
            return;
        }
        java.net.URI u;
        try {
            u = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " is not a URL: " + url);
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            throw new IllegalStateException(what + " must be an https URL: " + url);
        }
    }
}
