package dev.strata.auth;

import static dev.strata.auth.Api.count;
import static dev.strata.auth.Api.from;
import static dev.strata.auth.Api.randomEmail;
import static dev.strata.auth.Api.randomIp;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SignUpSignInTest {

    /** The management interface (health, metrics): its own port, not the one RestAssured uses. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;
    @jakarta.inject.Inject
    dev.strata.auth.service.PasswordHasher hasher;

    @Test
    void signUpStoresAnArgon2idHashWithTheConfiguredParameters() throws Exception {
        String email = randomEmail();
        from(randomIp()).contentType(ContentType.JSON)
                .body(Map.of("email", "  " + email.toUpperCase() + " ", "password", Api.PASSWORD, "name", "Ada"))
                .post("/api/users").then().statusCode(201)
                // no Location: there is no /api/users/{id} to point to (the account is /api/users/me once signed in)
                .header("Location", nullValue())
                .body("email", equalTo(email)).body("roles", hasItem("user")).body("emailVerified", equalTo(false))
                .body("password", nullValue()).body("passwordHash", nullValue());
        String hash = Api.column("select password_hash from auth.users where email = ?", email).get(0);
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
        assertEquals(1, count("select count(*) from auth.users where email = ? and roles = 'user'", email));
    }

    @Test
    void duplicateEmailIsAConflict() throws Exception {
        Api.Account a = Api.signUp();
        from(randomIp()).contentType(ContentType.JSON).body(Map.of("email", a.email(), "password", "another password"))
                .post("/api/users").then().statusCode(409).contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://strata.dev/problems/auth/email-taken"));
        assertEquals(1, count("select count(*) from auth.users where email = ?", a.email()));
    }

    @Test
    void racingSignUpsForOneAddressCreateOneAccount() throws Exception {
        String email = randomEmail();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(pool.submit(() -> from(randomIp()).contentType(ContentType.JSON)
                        .body(Map.of("email", email, "password", Api.PASSWORD)).post("/api/users").statusCode()));
            }
            java.util.List<Integer> codes = new java.util.ArrayList<>();
            for (var f : all) {
                codes.add(f.get());
            }
            assertEquals(1, codes.stream().filter(c -> c == 201).count(), codes.toString());
            assertEquals(3, codes.stream().filter(c -> c == 409).count(), codes.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, count("select count(*) from auth.users where email = ?", email));
    }

    @Test
    void badSignUpsAre400NamingTheFieldAndWriteNothing() throws Exception {
        long before = count("select count(*) from auth.users");
        String email = randomEmail();
        assertField(Map.of("password", Api.PASSWORD), "email");
        assertField(Map.of("email", "not-an-email", "password", Api.PASSWORD), "email");
        assertField(Map.of("email", email), "password");
        assertField(Map.of("email", email, "password", "short77"), "password");
        // 129 code points is too long even though each is a single character
        assertField(Map.of("email", email, "password", "😀".repeat(129)), "password");
        assertField(Map.of("email", email, "password", Api.PASSWORD, "name", "x".repeat(201)), "name");
        from(randomIp()).contentType(ContentType.JSON).body("{\"email\": ").post("/api/users").then().statusCode(400)
                .contentType(containsString("application/problem+json"));
        from(randomIp()).contentType(ContentType.JSON).post("/api/users").then().statusCode(400);
        assertEquals(before, count("select count(*) from auth.users"));
    }

    @Test
    void unicodePasswordsCountCodePoints() {
        // 128 emoji: 256 UTF-16 units, but 128 characters, which is allowed
        String password = "😀".repeat(128);
        String email = randomEmail();
        from(randomIp()).contentType(ContentType.JSON).body(Map.of("email", email, "password", password))
                .post("/api/users").then().statusCode(201);
        Api.signInResponse(email, password).then().statusCode(201);
        // NFKC: the full-width form of the same characters is the same password
        String plain = "Pässwörd-1234";
        String email2 = randomEmail();
        from(randomIp()).contentType(ContentType.JSON).body(Map.of("email", email2, "password", plain))
                .post("/api/users").then().statusCode(201);
        Api.signInResponse(email2, "Pa\u0308sswo\u0308rd-1234").then().statusCode(201);
    }

    @Test
    void signInGivesATokenOnceAndAHardenedCookie() throws Exception {
        Api.Account a = Api.signUp();
        Response r = Api.signInResponse(a.email(), a.password());
        r.then().statusCode(201).header("Cache-Control", "no-store").body("tokenType", equalTo("Bearer"))
                .body("userId", equalTo(a.id()));
        String token = r.path("token");
        assertEquals(43, token.length());
        String cookie = r.getHeaders().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("__Host-strata_session=")).findFirst().orElseThrow();
        assertTrue(cookie.startsWith("__Host-strata_session=" + token + ";"), cookie);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/"), cookie);
        assertTrue(!cookie.contains("Domain="), cookie);
        // both carriers work
        given().auth().oauth2(token).get("/api/sessions/current").then().statusCode(200)
                .body("userId", equalTo(a.id())).body("email", equalTo(a.email())).body("roles", hasItem("user"));
        given().cookie("__Host-strata_session", token).get("/api/sessions/current").then().statusCode(200)
                .body("id", equalTo(r.path("sessionId")));
        given().auth().oauth2(token).get("/api/users/me").then().statusCode(200).body("email", equalTo(a.email()));
        // a second sign-in is a new session with a new token
        Response again = Api.signInResponse(a.email(), a.password());
        assertTrue(!token.equals(again.path("token")));
        assertEquals(2, count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is null",
                a.id()));
    }

    @Test
    void unknownEmailAndWrongPasswordLookTheSame() {
        Api.Account a = Api.signUp();
        double hashes = hashCount();
        Response wrong = Api.signInResponse(a.email(), "wrong password!");
        // an unknown address costs one argon2 verification too (against a dummy hash), like a wrong password
        assertEquals(hashes + 1, hashCount());
        Response unknown = Api.signInResponse(randomEmail(), "wrong password!");
        assertEquals(hashes + 2, hashCount());
        wrong.then().statusCode(401).header("Set-Cookie", nullValue());
        unknown.then().statusCode(401).header("Set-Cookie", nullValue());
        assertEquals((String) wrong.path("type"), (String) unknown.path("type"));
        assertEquals((String) wrong.path("title"), (String) unknown.path("title"));
        assertEquals((String) wrong.path("detail"), (String) unknown.path("detail"));
        assertEquals("https://strata.dev/problems/auth/invalid-credentials", (String) wrong.path("type"));
    }

    @Test
    void badSignInsAre400AndOpenNoSession() throws Exception {
        long before = count("select count(*) from auth.sessions");
        from(randomIp()).contentType(ContentType.JSON).body(Map.of("password", "x")).post("/api/sessions").then()
                .statusCode(400).body("errors.field", hasItem("email"));
        from(randomIp()).contentType(ContentType.JSON).body(Map.of("email", randomEmail())).post("/api/sessions")
                .then().statusCode(400).body("errors.field", hasItem("password"));
        from(randomIp()).contentType(ContentType.TEXT).body("hello").post("/api/sessions").then().statusCode(415);
        assertEquals(before, count("select count(*) from auth.sessions"));
    }

    @Test
    void protectedEndpointsNeedAValidSession() {
        given().get("/api/sessions/current").then().statusCode(401)
                .contentType(containsString("application/problem+json"));
        given().auth().oauth2("x".repeat(43)).get("/api/sessions/current").then().statusCode(401);
        given().get("/api/users/me").then().statusCode(401);
        given().get("/api/sessions").then().statusCode(401);
        given().delete("/api/sessions/current").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("currentPassword", "a", "newPassword", "bbbbbbbbbb"))
                .put("/api/users/me/password").then().statusCode(401);
    }

    @Test
    void signOutEndsTheSessionEverywhere() throws Exception {
        Api.Signed s = Api.newUser();
        Api.as(s).delete("/api/sessions/current").then().statusCode(204)
                .header("Set-Cookie", containsString("Max-Age=0"));
        Api.as(s).get("/api/sessions/current").then().statusCode(401);
        assertEquals(1, count("select count(*) from auth.sessions where id = ?::uuid and revoked_at is not null "
                + "and revoke_reason = 'signed-out'", s.sessionId()));
    }

    @Test
    void hashingLeavesTheEventLoopFreeAndAnswersOnIt() throws Exception {
        io.vertx.core.Context loop = vertx.getOrCreateContext();
        assertTrue(loop.isEventLoopContext());
        java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
        loop.runOnContext(v -> {
            hasher.hash("a passphrase of some length").subscribe().with(phc -> {
                order.add("hashed on " + Thread.currentThread().getName());
                done.complete(phc);
            }, done::completeExceptionally);
            // queued behind the current task: it runs during the hash only if the hash is not on this thread
            loop.runOnContext(x -> order.add("event loop free"));
        });
        String phc = done.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), phc);
        assertEquals("event loop free", order.get(0), order.toString());
        // and the result comes back on the caller's event loop (Hibernate Reactive needs its own context)
        assertTrue(order.get(1).startsWith("hashed on vert.x-eventloop"), order.toString());
    }

    @Test
    void plaintextPingNeedsNothing() {
        given().get("/api/auth/ping").then().statusCode(200).contentType(containsString("text/plain"))
                .body(equalTo("pong"));
    }

    @Test
    void metricsCountSignInsAndHashTime() {
        Api.Account a = Api.signUp();
        Api.signInResponse(a.email(), a.password()).then().statusCode(201);
        Api.signInResponse(a.email(), "wrong password!").then().statusCode(401);
        String metrics = given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        String auth = metrics.lines().filter(l -> l.startsWith("strata_auth")).reduce("", (x, y) -> x + "\n" + y);
        assertTrue(metrics.contains("strata_auth_sign_ins_total{method=\"password\",outcome=\"success\""), auth);
        assertTrue(metrics.contains("strata_auth_sign_ins_total{method=\"password\",outcome=\"failure\""), "failure");
        assertTrue(metrics.contains("strata_auth_sessions_created_total"), "created");
        assertTrue(metrics.contains("strata_auth_password_hash_seconds_bucket"), "hash histogram");
    }

    private double hashCount() {
        String metrics = given().port(management.getPort()).accept("text/plain").get("/q/metrics").then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith("strata_auth_password_hash_seconds_count"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    @Test
    void weakerOldHashesAreUpgradedAtSignIn() throws Exception {
        Api.Account a = Api.signUp();
        // a hash made with yesterday's cheaper parameters (m=4096, t=1): still valid, upgraded at the next sign-in
        byte[] salt = "sixteen byte salt".substring(0, 16).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var gen = new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
        gen.init(new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
                org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id).withVersion(19).withSalt(salt)
                .withMemoryAsKB(4096).withIterations(1).withParallelism(1).build());
        byte[] out = new byte[32];
        gen.generateBytes(a.password().getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
        var b64 = java.util.Base64.getEncoder().withoutPadding();
        String weak = "$argon2id$v=19$m=4096,t=1,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
        Api.exec("update auth.users set password_hash = ? where id = ?::uuid", weak, a.id());

        Api.signInResponse(a.email(), a.password()).then().statusCode(201);
        String now = Api.column("select password_hash from auth.users where id = ?::uuid", a.id()).get(0);
        assertTrue(now.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), now);
        Api.signInResponse(a.email(), a.password()).then().statusCode(201);
    }

    private static void assertField(Map<String, Object> body, String field) {
        from(randomIp()).contentType(ContentType.JSON).body(new HashMap<>(body)).post("/api/users").then()
                .statusCode(400).contentType(containsString("application/problem+json"))
                .body("errors.field", hasItem(field)).body("errors.field", not(hasItem("body")));
    }
}
