package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AdminTest {

    @jakarta.inject.Inject
    io.quarkus.redis.datasource.ReactiveRedisDataSource redis;

    @jakarta.inject.Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    @jakarta.inject.Inject
    dev.strata.platform.security.SessionVerifier verifier;

    /**
     * Another service's near-cache (built here against the same Redis, trusting entries for 30 s) learns of a role
     * change from {@code strata.sessions.updated}: a revoked role is gone there within 1 s.
     */
    @Test
    void aRoleChangeReachesOtherServicesNearCachesWithinOneSecond() throws Exception {
        try (OtherService other = new OtherService(redis, json, vertx, verifier)) {
            Api.Signed root = Api.admin();
            Api.Signed u = Api.newUser();
            as(root).put("/api/admin/users/" + u.account().id() + "/roles/reviewer").then().statusCode(200);
            org.junit.jupiter.api.Assertions.assertTrue(other.check(u.token()).hasRole("reviewer"));
            org.junit.jupiter.api.Assertions.assertNotNull(
                    other.cache.get(dev.strata.platform.security.SessionTokens.hash(u.token())), "cached");

            as(root).delete("/api/admin/users/" + u.account().id() + "/roles/reviewer").then().statusCode(200);
            long took = other.millisUntilRefused(u.token(), id -> id.hasRole("reviewer"));
            org.junit.jupiter.api.Assertions.assertTrue(took <= 1000, "role gone after " + took + " ms");
        }
    }

    /** The first admin by an explicit one-time token: verified e-mail required, right token required, once only. */
    @Test
    void theBootstrapTokenMakesOneVerifiedUserAdminOnce() throws Exception {
        String token = "test-bootstrap-token-0123456789";
        Api.Signed unverified = Api.newUser();
        as(unverified).contentType(ContentType.JSON).body(Map.of("token", token)).post("/api/admin/bootstrap").then()
                .statusCode(403).body("type", equalTo("https://strata.dev/problems/auth/email-not-verified"));
        given().contentType(ContentType.JSON).body(Map.of("token", token)).post("/api/admin/bootstrap").then()
                .statusCode(401);
        as(unverified).contentType(ContentType.JSON).body(Map.of()).post("/api/admin/bootstrap").then()
                .statusCode(400);
        Api.Signed me = Api.newUser();
        Api.exec("update auth.users set email_verified = true where id = ?::uuid", me.account().id());
        as(me).contentType(ContentType.JSON).body(Map.of("token", "a guess")).post("/api/admin/bootstrap").then()
                .statusCode(403).body("type", equalTo("https://strata.dev/problems/auth/invalid-bootstrap-token"));
        as(me).get("/api/sessions/current").then().body("roles", not(hasItem("admin")));
        as(me).contentType(ContentType.JSON).body(Map.of("token", token)).post("/api/admin/bootstrap").then()
                .statusCode(204);
        // the live session has the role at once
        as(me).get("/api/sessions/current").then().body("roles", hasItem("admin"));
        // used: nobody else can redeem it, not even with the right token
        Api.Signed second = Api.newUser();
        Api.exec("update auth.users set email_verified = true where id = ?::uuid", second.account().id());
        as(second).contentType(ContentType.JSON).body(Map.of("token", token)).post("/api/admin/bootstrap").then()
                .statusCode(409).body("type", equalTo("https://strata.dev/problems/auth/bootstrap-token-used"));
        as(second).get("/api/sessions/current").then().body("roles", not(hasItem("admin")));
        assertEquals(1, count("select count(*) from auth.bootstrap_tokens where consumed_by = ?::uuid",
                me.account().id()));
    }

    @Test
    void theBootstrapAddressBecomesAdminOnceVerified() throws Exception {
        Api.Signed root = Api.admin();
        as(root).get("/api/sessions/current").then().statusCode(200).body("roles", hasItem("admin"));
        assertEquals(1, count("select count(*) from auth.users where email = ? and roles like '%admin%'", Api.ROOT));
    }

    @Test
    void grantingAndRevokingARoleAppliesToLiveSessionsAtOnce() throws Exception {
        Api.Signed root = Api.admin();
        Api.Signed u = Api.newUser();
        as(u).get("/api/sessions/current").then().body("roles", not(hasItem("reviewer")));
        as(root).put("/api/admin/users/" + u.account().id() + "/roles/reviewer").then().statusCode(200)
                .body("roles", hasItem("reviewer"));
        as(u).get("/api/sessions/current").then().statusCode(200).body("roles", hasItem("reviewer"))
                .body("roles", hasItem("user"));
        // granting twice is harmless
        as(root).put("/api/admin/users/" + u.account().id() + "/roles/reviewer").then().statusCode(200);
        as(root).delete("/api/admin/users/" + u.account().id() + "/roles/reviewer").then().statusCode(200)
                .body("roles", not(hasItem("reviewer")));
        as(u).get("/api/sessions/current").then().body("roles", not(hasItem("reviewer")));

        as(root).put("/api/admin/users/" + u.account().id() + "/roles/admin").then().statusCode(200);
        as(u).get("/api/admin/users/not-a-uuid").then().statusCode(400);
        as(u).get("/api/admin/users/" + u.account().id()).then().statusCode(200).body("roles", hasItem("admin"));
        as(root).delete("/api/admin/users/" + u.account().id() + "/roles/admin").then().statusCode(200);
        as(u).get("/api/admin/users/" + u.account().id()).then().statusCode(403);
    }

    @Test
    void onlyAdminsMayCallAdminEndpoints() throws Exception {
        Api.Signed u = Api.newUser();
        Api.Signed victim = Api.newUser();
        String base = "/api/admin/users/" + victim.account().id();
        given().get(base).then().statusCode(401);
        given().put(base + "/roles/admin").then().statusCode(401);
        given().post(base + "/ban").then().statusCode(401);
        as(u).get(base).then().statusCode(403).body("type", equalTo("https://strata.dev/problems/forbidden"));
        as(u).put("/api/admin/users/" + u.account().id() + "/roles/admin").then().statusCode(403);
        as(u).contentType(ContentType.JSON).body(Map.of()).post(base + "/ban").then().statusCode(403);
        as(u).delete(base + "/ban").then().statusCode(403);
        assertEquals(1, count("select count(*) from auth.users where id = ?::uuid and roles = 'user' "
                + "and banned_at is null", victim.account().id()));
        as(victim).get("/api/sessions/current").then().statusCode(200);
    }

    @Test
    void badAdminInputIs400Or404AndChangesNothing() throws Exception {
        Api.Signed root = Api.admin();
        Api.Signed u = Api.newUser();
        String base = "/api/admin/users/" + u.account().id();
        as(root).put(base + "/roles/superuser").then().statusCode(400).body("errors.field", hasItem("role"));
        as(root).put(base + "/roles/user").then().statusCode(400).body("errors.field", hasItem("role"));
        as(root).put("/api/admin/users/nope/roles/reviewer").then().statusCode(400).body("errors.field", hasItem("id"));
        as(root).put("/api/admin/users/" + UUID.randomUUID() + "/roles/reviewer").then().statusCode(404);
        as(root).contentType(ContentType.JSON).body(Map.of("reason", "x".repeat(501))).post(base + "/ban").then()
                .statusCode(400).body("errors.field", hasItem("reason"));
        as(root).contentType(ContentType.JSON).body(Map.of()).post("/api/admin/users/" + UUID.randomUUID() + "/ban")
                .then().statusCode(404);
        as(root).contentType(ContentType.JSON).body(Map.of()).post("/api/admin/users/" + root.account().email()
                + "/ban").then().statusCode(400);
        assertEquals(1, count("select count(*) from auth.users where id = ?::uuid and roles = 'user' "
                + "and banned_at is null", u.account().id()));
    }

    @Test
    void banningRevokesEverySessionAndRefusesSignIn() throws Exception {
        Api.Signed root = Api.admin();
        Api.Account a = Api.signUp();
        Api.Signed s1 = Api.signIn(a);
        Api.Signed s2 = Api.signIn(a);
        as(root).contentType(ContentType.JSON).body(Map.of("reason", "fraud")).post("/api/admin/users/" + a.id()
                + "/ban").then().statusCode(200).body("banned", equalTo(true)).body("banReason", equalTo("fraud"));
        as(s1).get("/api/sessions/current").then().statusCode(401);
        as(s2).get("/api/sessions/current").then().statusCode(401);
        assertEquals(0, count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is null",
                a.id()));
        Api.signInResponse(a.email(), a.password()).then().statusCode(403)
                .body("type", equalTo("https://strata.dev/problems/auth/account-banned"));
        // a wrong password still looks like any wrong password
        Api.signInResponse(a.email(), "wrong password!").then().statusCode(401);
        as(root).delete("/api/admin/users/" + a.id() + "/ban").then().statusCode(200).body("banned", equalTo(false));
        Api.signInResponse(a.email(), a.password()).then().statusCode(201);
        // an admin cannot ban or demote themselves
        as(root).contentType(ContentType.JSON).body(Map.of()).post("/api/admin/users/" + root.account().id() + "/ban")
                .then().statusCode(409);
    }
}
