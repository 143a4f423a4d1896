package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.strata.testing.StrataServersResource;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/** End to end against a real OIDC server (mock-oauth2-server) running in the test JVM. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OAuthTest {

    /** The provider's user: who the ID token will say signed in. */
    private static void idpUser(String subject, String email, boolean verified) {
        AuthTestServers.oidc.enqueueCallback(new DefaultOAuth2TokenCallback(AuthTestServers.OIDC_ISSUER_ID, subject,
                "JWT", List.of("strata-test-client"), Map.of("email", email, "email_verified", verified), 3600));
    }

    /** Browser's trip to the provider and back: returns our callback URL with code and state. */
    private static String throughProvider(String authorizationUrl) {
        assertTrue(authorizationUrl.contains("code_challenge_method=S256"), authorizationUrl);
        assertTrue(authorizationUrl.contains("&state=") && authorizationUrl.contains("&nonce="), authorizationUrl);
        assertTrue(authorizationUrl.contains("client_id=strata-test-client"), authorizationUrl);
        Response idp = given().urlEncodingEnabled(false).redirects().follow(false).get(authorizationUrl);
        assertEquals(302, idp.statusCode(), idp.asString());
        String back = idp.getHeader("Location");
        assertTrue(back.contains("/api/accounts/mock/callback?") && back.contains("code="), back);
        return back;
    }

    private static String startSignIn() {
        Response start = Api.from(Api.randomIp()).redirects().follow(false).get("/api/accounts/mock/authorize");
        start.then().statusCode(303).header("Cache-Control", "no-store");
        return start.getHeader("Location");
    }

    private static Response callback(String url) {
        return given().urlEncodingEnabled(false).redirects().follow(false).get(url);
    }

    @Test
    void signInWithAProviderCreatesAUserOnceThenSignsIntoIt() throws Exception {
        String subject = "idp-" + UUID.randomUUID();
        String email = Api.randomEmail();
        idpUser(subject, email, true);
        Response first = callback(throughProvider(startSignIn()));
        first.then().statusCode(201).header("Set-Cookie", containsString("__Host-strata_session="));
        String token = first.path("token");
        String userId = first.path("userId");
        given().auth().oauth2(token).get("/api/users/me").then().statusCode(200).body("email", equalTo(email))
                .body("emailVerified", equalTo(true)).body("id", equalTo(userId));
        given().auth().oauth2(token).get("/api/accounts").then().statusCode(200).body("accounts", hasSize(1))
                .body("accounts[0].provider", equalTo("mock")).body("accounts[0].accountId", equalTo(subject));
        assertEquals(1, count("select count(*) from auth.users where id = ?::uuid and password_hash is null",
                userId));

        // the same provider identity later: the same user, a new session
        idpUser(subject, email, true);
        Response again = callback(throughProvider(startSignIn()));
        again.then().statusCode(201).body("userId", equalTo(userId));
        assertTrue(!token.equals(again.path("token")));
        // the only way in of this user cannot be unlinked
        String accountId = given().auth().oauth2(token).get("/api/accounts").then().extract()
                .path("accounts[0].id");
        given().auth().oauth2(token).delete("/api/accounts/" + accountId).then().statusCode(409);
    }

    @Test
    void aSignedInUserLinksAndUnlinksAProvider() throws Exception {
        Api.Signed me = Api.newUser();
        String subject = "idp-" + UUID.randomUUID();
        idpUser(subject, Api.randomEmail(), true);
        String url = as(me).post("/api/accounts/mock/links").then().statusCode(201).extract()
                .path("authorizationUrl");
        callback(throughProvider(url)).then().statusCode(201).body("provider", equalTo("mock"))
                .body("accountId", equalTo(subject));
        as(me).get("/api/accounts").then().body("accounts", hasSize(1));

        // now the provider signs this user in
        idpUser(subject, Api.randomEmail(), true);
        callback(throughProvider(startSignIn())).then().statusCode(201).body("userId", equalTo(me.account().id()));

        // nobody else can link the same identity, or unlink mine
        Api.Signed other = Api.newUser();
        idpUser(subject, Api.randomEmail(), true);
        String url2 = as(other).post("/api/accounts/mock/links").then().statusCode(201).extract()
                .path("authorizationUrl");
        callback(throughProvider(url2)).then().statusCode(409)
                .body("type", equalTo("https://strata.dev/problems/auth/account-already-linked"));
        String accountId = as(me).get("/api/accounts").then().extract().path("accounts[0].id");
        as(other).delete("/api/accounts/" + accountId).then().statusCode(404);
        as(other).delete("/api/accounts/nope").then().statusCode(400);
        given().delete("/api/accounts/" + accountId).then().statusCode(401);
        assertEquals(1, count("select count(*) from auth.accounts where id = ?::uuid", accountId));

        as(me).delete("/api/accounts/" + accountId).then().statusCode(204);
        as(me).get("/api/accounts").then().body("accounts", hasSize(0));
        assertEquals(0, count("select count(*) from auth.accounts where id = ?::uuid", accountId));
    }

    @Test
    void anExistingAddressIsNeverTakenOverByAProvider() throws Exception {
        Api.Account victim = Api.signUp();
        long accounts = count("select count(*) from auth.accounts");
        idpUser("idp-" + UUID.randomUUID(), victim.email(), true);
        callback(throughProvider(startSignIn())).then().statusCode(409)
                .body("type", equalTo("https://strata.dev/problems/auth/account-not-linked"));
        // and an unverified address is not enough to create an account either
        String email = Api.randomEmail();
        idpUser("idp-" + UUID.randomUUID(), email, false);
        callback(throughProvider(startSignIn())).then().statusCode(409);
        assertEquals(0, count("select count(*) from auth.users where email = ?", email));
        assertEquals(accounts, count("select count(*) from auth.accounts"));
    }

    @Test
    void stateIsSingleUseAndRequired() throws Exception {
        idpUser("idp-" + UUID.randomUUID(), Api.randomEmail(), true);
        String back = throughProvider(startSignIn());
        callback(back).then().statusCode(201);
        // replaying the same redirect: the state is gone
        callback(back).then().statusCode(400)
                .body("type", equalTo("https://strata.dev/problems/auth/oauth-invalid-state"));
        given().queryParam("code", "abc").get("/api/accounts/mock/callback").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("state"));
        given().queryParam("state", "abc").get("/api/accounts/mock/callback").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("code"));
        given().queryParam("state", "forged").queryParam("code", "abc").get("/api/accounts/mock/callback").then()
                .statusCode(400);
        given().queryParam("error", "access_denied").queryParam("state", "x").get("/api/accounts/mock/callback")
                .then().statusCode(400);
    }

    @Test
    void anIdTokenWithAnotherNonceIsRefused() throws Exception {
        String email = Api.randomEmail();
        idpUser("idp-" + UUID.randomUUID(), email, true);
        // someone swaps the nonce on the way to the provider: the ID token no longer belongs to this sign-in
        String url = startSignIn().replaceAll("nonce=[^&]+", "nonce=swapped");
        callback(throughProvider(url)).then().statusCode(401)
                .body("type", equalTo("https://strata.dev/problems/auth/oauth-provider-error"));
        assertEquals(0, count("select count(*) from auth.users where email = ?", email));
    }

    @Test
    void aCodeIssuedForAnotherPkceChallengeIsRefused() throws Exception {
        String email = Api.randomEmail();
        idpUser("idp-" + UUID.randomUUID(), email, true);
        // an attacker's challenge: our verifier does not match it, so the provider refuses the exchange
        String url = startSignIn().replaceAll("code_challenge=[^&]+",
                "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        callback(throughProvider(url)).then().statusCode(401)
                .body("type", equalTo("https://strata.dev/problems/auth/oauth-provider-error"));
        assertEquals(0, count("select count(*) from auth.users where email = ?", email));
    }

    @Test
    void unknownProvidersAndAnonymousCallersAreRefused() {
        given().redirects().follow(false).get("/api/accounts/nope/authorize").then().statusCode(404);
        given().queryParam("code", "a").queryParam("state", "b").get("/api/accounts/nope/callback").then()
                .statusCode(404);
        given().post("/api/accounts/mock/links").then().statusCode(401);
        given().get("/api/accounts").then().statusCode(401);
        Api.Signed me = Api.newUser();
        as(me).post("/api/accounts/nope/links").then().statusCode(404);
    }
}
