package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
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

    /** The browser-binding cookie each flow's start set, by the flow's state. */
    private static final Map<String, String> BINDINGS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final String BINDING_COOKIE = "__Host-strata_oauth";

    private static String state(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]state=([^&]+)").matcher(url);
        assertTrue(m.find(), url);
        return m.group(1);
    }

    private static String remember(String authorizationUrl, Response start) {
        String binding = start.getCookie(BINDING_COOKIE);
        assertTrue(binding != null && binding.length() >= 43, "no browser-binding cookie");
        BINDINGS.put(state(authorizationUrl), binding);
        return authorizationUrl;
    }

    private static String startSignIn() {
        Response start = Api.from(Api.randomIp()).redirects().follow(false).get("/api/accounts/mock/authorize");
        start.then().statusCode(303).header("Cache-Control", "no-store");
        return remember(start.getHeader("Location"), start);
    }

    private static String startLink(Api.Signed who) {
        Response start = as(who).post("/api/accounts/mock/links");
        start.then().statusCode(201);
        return remember(start.path("authorizationUrl"), start);
    }

    /** The redirect back, from the browser that started the flow (it carries the binding cookie). */
    private static Response callback(String url) {
        String binding = BINDINGS.get(state(url));
        // each browser from its own address: the callback is limited per client address like sign-in
        var request = Api.from(Api.randomIp()).urlEncodingEnabled(false).redirects().follow(false);
        return (binding == null ? request : request.cookie(BINDING_COOKIE, binding)).get(url);
    }

    /** The same redirect followed by another browser (an attacker's link URL, a login-CSRF callback). */
    private static Response callbackFromAnotherBrowser(String url) {
        return given().urlEncodingEnabled(false).redirects().follow(false).get(url);
    }

    @Test
    void signInWithAProviderCreatesAUserOnceThenSignsIntoIt() throws Exception {
        String subject = "idp-" + UUID.randomUUID();
        String email = Api.randomEmail();
        idpUser(subject, email, true);
        Response first = callback(throughProvider(startSignIn()));
        first.then().statusCode(201).cookie("__Host-strata_session", org.hamcrest.Matchers.notNullValue());
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

    /** A session whose last password check is old cannot add a sign-in method until it confirms the password. */
    @Test
    void linkingNeedsARecentPasswordCheckAndIsAnnounced() throws Exception {
        Api.Signed me = Api.newUser();
        Api.exec("update auth.sessions set reauthenticated_at = now() - interval '6 minutes' where user_id = ?::uuid",
                me.account().id());
        as(me).post("/api/accounts/mock/links").then().statusCode(403)
                .contentType(org.hamcrest.Matchers.containsString("application/problem+json"))
                .body("type", equalTo("https://strata.dev/problems/auth/reauthentication-required"));
        as(me).contentType("application/json").body(Map.of("password", "not my password"))
                .post("/api/sessions/current/reauthentication").then().statusCode(400);
        as(me).post("/api/accounts/mock/links").then().statusCode(403);
        as(me).contentType("application/json").body(Map.of("nope", 1))
                .post("/api/sessions/current/reauthentication").then().statusCode(400);
        given().contentType("application/json").body(Map.of("password", me.account().password()))
                .post("/api/sessions/current/reauthentication").then().statusCode(401);
        as(me).contentType("application/json").body(Map.of("password", me.account().password()))
                .post("/api/sessions/current/reauthentication").then().statusCode(204);
        // the new method is announced to the user's other devices and services
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        var bus = io.quarkus.arc.Arc.container().instance(dev.strata.platform.events.EventBus.class).get();
        var sub = bus.subscribe("strata.accounts.*", (ch, e) -> events.add(e.type() + ":" + e.subject()))
                .await().atMost(java.time.Duration.ofSeconds(5));
        try {
            String subject = "idp-" + UUID.randomUUID();
            idpUser(subject, Api.randomEmail(), true);
            callback(throughProvider(startLink(me))).then().statusCode(201);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of("accounts.linked:" + me.account().id()), events);
        } finally {
            sub.unsubscribe().await().atMost(java.time.Duration.ofSeconds(5));
        }
    }

    @Test
    void aSignedInUserLinksAndUnlinksAProvider() throws Exception {
        Api.Signed me = Api.newUser();
        String subject = "idp-" + UUID.randomUUID();
        idpUser(subject, Api.randomEmail(), true);
        String url = startLink(me);
        callback(throughProvider(url)).then().statusCode(201).body("provider", equalTo("mock"))
                .body("accountId", equalTo(subject));
        as(me).get("/api/accounts").then().body("accounts", hasSize(1));

        // now the provider signs this user in
        idpUser(subject, Api.randomEmail(), true);
        callback(throughProvider(startSignIn())).then().statusCode(201).body("userId", equalTo(me.account().id()));

        // nobody else can link the same identity, or unlink mine
        Api.Signed other = Api.newUser();
        idpUser(subject, Api.randomEmail(), true);
        String url2 = startLink(other);
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

    /** Links a provider identity carrying the user's own address to {@code me}; returns the identity's subject. */
    private static String linkOwnAddress(Api.Signed me) {
        String subject = "idp-" + UUID.randomUUID();
        idpUser(subject, me.account().email(), true);
        callback(throughProvider(startLink(me))).then().statusCode(201);
        return subject;
    }

    /** The provider signs in as whoever {@code subject} is linked to; 409 account-not-linked when nobody. */
    private static Response signInAs(String subject, String email) {
        idpUser(subject, email, true);
        return callback(throughProvider(startSignIn()));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** Account events of this user in the durable stream, oldest first, as type strings. */
    private static List<String> accountEvents(String userId, int atLeast) throws Exception {
        var redis = io.quarkus.arc.Arc.container().instance(io.quarkus.redis.datasource.RedisDataSource.class).get();
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> types = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            types.clear();
            for (var entry : redis.execute("XRANGE", "strata:events:accounts", "-", "+")) {
                // [id, [field, value, ...]]: the envelope is the value of the field "event"
                var fields = entry.get(1);
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    if (fields.get(i).toString().equals("envelope")) {
                        var envelope = JSON.readTree(fields.get(i + 1).toString());
                        if (userId.equals(envelope.path("subject").asText())) {
                            // sign-ins (sessions.created) are not account changes
                            if (envelope.path("type").asText().startsWith("accounts.")) {
                                types.add(envelope.path("type").asText());
                            }
                        }
                    }
                }
            }
            if (types.size() >= atLeast) {
                break;
            }
            Thread.sleep(20);
        }
        return types;
    }

    /** A password change shows what is still linked, and with unlinkAccounts removes it in the same transaction. */
    @Test
    void aPasswordChangeOffersAndRemovesLinkedAccounts() throws Exception {
        Api.Signed me = Api.newUser();
        String subject = linkOwnAddress(me);
        String second = "Another-passphrase-" + UUID.randomUUID();
        as(me).contentType("application/json")
                .body(Map.of("currentPassword", me.account().password(), "newPassword", second))
                .put("/api/users/me/password").then().statusCode(200).body("linkedAccounts", equalTo(1))
                .body("unlinkedAccounts", equalTo(0));
        assertEquals(1, count("select count(*) from auth.accounts where user_id = ?::uuid", me.account().id()));
        // bad flag: refused, nothing changed
        as(me).contentType("application/json")
                .body("{\"currentPassword\":\"" + second + "\",\"newPassword\":\"x-" + second
                        + "\",\"unlinkAccounts\":\"yes please\"}")
                .put("/api/users/me/password").then().statusCode(400);
        assertEquals(1, count("select count(*) from auth.accounts where user_id = ?::uuid", me.account().id()));

        String third = "Third-passphrase-" + UUID.randomUUID();
        as(me).contentType("application/json")
                .body(Map.of("currentPassword", second, "newPassword", third, "unlinkAccounts", true))
                .put("/api/users/me/password").then().statusCode(200).body("linkedAccounts", equalTo(0))
                .body("unlinkedAccounts", equalTo(1));
        assertEquals(0, count("select count(*) from auth.accounts where user_id = ?::uuid", me.account().id()));
        // the identity that was linked no longer gets in
        signInAs(subject, me.account().email()).then().statusCode(409)
                .body("type", equalTo("https://strata.dev/problems/auth/account-not-linked"));
        // each change is a durable event, in order, for the notification service
        assertEquals(List.of("accounts.linked", "accounts.password_changed", "accounts.unlinked",
                "accounts.password_changed"), accountEvents(me.account().id(), 4));
    }

    @Test
    void signingOutEverywhereCanRemoveLinkedAccountsButNeverTheLastWayIn() throws Exception {
        Api.Signed me = Api.newUser();
        Api.Signed laptop = Api.signIn(me.account());
        String subject = linkOwnAddress(me);
        as(me).delete("/api/sessions?scope=others&unlinkAccounts=maybe").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("unlinkAccounts"));
        as(laptop).get("/api/users/me").then().statusCode(200);
        as(me).delete("/api/sessions?scope=others&unlinkAccounts=true").then().statusCode(200)
                .body("revoked", equalTo(1)).body("unlinkedAccounts", equalTo(1)).body("linkedAccounts", equalTo(0));
        as(laptop).get("/api/users/me").then().statusCode(401);
        as(me).get("/api/users/me").then().statusCode(200);
        signInAs(subject, me.account().email()).then().statusCode(409);
        assertEquals(List.of("accounts.linked", "accounts.unlinked", "accounts.sessions_revoked"),
                accountEvents(me.account().id(), 3));

        // a user who signs in only through a provider keeps it: refused, and no session touched
        String onlyWay = "idp-" + UUID.randomUUID();
        Response first = signInAs(onlyWay, Api.randomEmail());
        first.then().statusCode(201);
        String token = first.path("token");
        String userId = first.path("userId");
        Response second = signInAs(onlyWay, "ignored@strata.test");
        second.then().statusCode(201);
        given().auth().oauth2(token).delete("/api/sessions?scope=others&unlinkAccounts=true").then().statusCode(409);
        given().auth().oauth2((String) second.path("token")).get("/api/users/me").then().statusCode(200);
        assertEquals(1, count("select count(*) from auth.accounts where user_id = ?::uuid", userId));
    }

    /** A ban through the API racing provider sign-ins of the same user (the OAuth path, not the password one). */
    @Test
    void aBanRacingProviderSignInsLeavesNoSessionAlive() throws Exception {
        Api.Signed root = Api.admin();
        for (int round = 0; round < 3; round++) {
            String subject = "idp-" + UUID.randomUUID();
            String email = Api.randomEmail();
            Response first = signInAs(subject, email);
            first.then().statusCode(201);
            String userId = first.path("userId");
            // browsers that came back from the provider and are about to hit our callback, all at once
            List<String> callbacks = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                callbacks.add(throughProvider(startSignIn()));
            }
            for (int i = 0; i < 3; i++) {
                idpUser(subject, email, true);
            }
            List<java.util.concurrent.Callable<String>> calls = new java.util.ArrayList<>();
            for (String url : callbacks) {
                calls.add(() -> {
                    Response r = callback(url);
                    return r.statusCode() == 201 ? r.path("token") : String.valueOf(r.statusCode());
                });
            }
            calls.add(() -> String.valueOf(as(root).contentType("application/json").body(Map.of("reason", "fraud"))
                    .post("/api/admin/users/" + userId + "/ban").statusCode()));
            List<String> out = dev.strata.testing.Concurrently.run(calls);
            assertEquals("200", out.get(3), "the ban");
            Api.assertNoLiveSession(userId, out.subList(0, 3), "round " + round);
            given().auth().oauth2(token(first)).get("/api/users/me").then().statusCode(401);
        }
    }

    private static String token(Response r) {
        return r.path("token");
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
    void onlyTheBrowserThatStartedAFlowCanFinishIt() throws Exception {
        // no identity is queued at the provider: these flows must fail before any code is exchanged
        long users = count("select count(*) from auth.users");
        long accounts = count("select count(*) from auth.accounts");

        // an attacker starts linking and sends the provider URL to a victim: the victim's browser lacks the binding
        Api.Signed attacker = Api.newUser();
        callbackFromAnotherBrowser(throughProvider(startLink(attacker))).then().statusCode(400)
                .body("type", equalTo("https://strata.dev/problems/auth/oauth-invalid-state"));
        as(attacker).get("/api/accounts").then().body("accounts", hasSize(0));

        // login CSRF: a callback URL with a fresh code, delivered to someone else's browser, signs nobody in
        callbackFromAnotherBrowser(throughProvider(startSignIn())).then().statusCode(400)
                .header("Set-Cookie", org.hamcrest.Matchers.nullValue());

        // and a wrong binding is no better than none
        String back = throughProvider(startSignIn());
        given().urlEncodingEnabled(false).redirects().follow(false).cookie(BINDING_COOKIE, "x".repeat(43)).get(back)
                .then().statusCode(400);

        assertEquals(users + 1, count("select count(*) from auth.users"), "only the attacker's own sign-up");
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
