package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.strata.testing.StrataServersResource;

/** Races that must not leave a session alive or lose a change, run with real threads against real stores. */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RacesTest {

    @Inject
    RedisDataSource redis;

    static <T> List<T> together(List<Callable<T>> calls) throws Exception {
        return dev.strata.testing.Concurrently.run(calls);
    }

    @Test
    void twoConcurrentRoleGrantsAreBothKept() throws Exception {
        Api.Signed root = Api.admin();
        for (int round = 0; round < 5; round++) {
            Api.Account u = Api.signUp();
            List<Integer> codes = together(List.of(
                    () -> as(root).put("/api/admin/users/" + u.id() + "/roles/reviewer").statusCode(),
                    () -> as(root).put("/api/admin/users/" + u.id() + "/roles/admin").statusCode()));
            assertEquals(List.of(200, 200), codes);
            String roles = Api.column("select roles from auth.users where id = ?::uuid", u.id()).get(0);
            assertTrue(roles.contains("reviewer") && roles.contains("admin"), "round " + round + ": " + roles);
        }
    }

    /**
     * A revoke and a grant at once: Postgres keeps both changes, and the user's live session (rewritten in Redis
     * after each commit) ends equal to Postgres, whichever change and sync ran last.
     */
    @Test
    void concurrentRoleChangesLeaveTheLiveSessionEqualToPostgres() throws Exception {
        Api.Signed root = Api.admin();
        for (int round = 0; round < 5; round++) {
            Api.Signed u = Api.newUser();
            String id = u.account().id();
            as(root).put("/api/admin/users/" + id + "/roles/reviewer").then().statusCode(200);
            List<Integer> codes = together(List.of(
                    () -> as(root).delete("/api/admin/users/" + id + "/roles/reviewer").statusCode(),
                    () -> as(root).put("/api/admin/users/" + id + "/roles/admin").statusCode()));
            assertEquals(List.of(200, 200), codes);
            String roles = Api.column("select roles from auth.users where id = ?::uuid", id).get(0);
            assertTrue(!roles.contains("reviewer") && roles.contains("admin"), "round " + round + ": " + roles);
            List<String> live = as(u).get("/api/sessions/current").then().statusCode(200).extract().path("roles");
            assertTrue(live.contains("admin") && !live.contains("reviewer"), "round " + round + ": session " + live);
        }
    }

    @Test
    void aPasswordChangeLeavesNoSessionOpenedWithTheOldPassword() throws Exception {
        Api.Account a = Api.signUp();
        Api.Signed me = Api.signIn(a);
        String fresh = "a completely new passphrase 42";
        List<Callable<Integer>> calls = new ArrayList<>();
        // six: with the two sign-ins below they stay within the per-account sign-in limit (10 per 15 minutes)
        for (int i = 0; i < 6; i++) {
            calls.add(() -> Api.signInResponse(a.email(), a.password()).statusCode());
        }
        calls.add(() -> as(me).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", a.password(), "newPassword", fresh))
                .put("/api/users/me/password").statusCode());
        List<Integer> codes = together(calls);
        assertTrue(codes.get(6) / 100 == 2, "password change: " + codes.get(6));
        // whatever the interleaving: the only live session is the one that changed the password
        assertEquals(1, count("select count(*) from auth.sessions where user_id = ?::uuid and revoked_at is null"
                + " and expires_at > now()", a.id()), "sign-ins " + codes.subList(0, 6));
        for (String hash : Api.column("select token_hash from auth.sessions where user_id = ?::uuid"
                + " and revoked_at is not null", a.id())) {
            assertFalse(redis.key().exists("session:" + hash), "a revoked session is still in Redis");
        }
        assertEquals(401, Api.signInResponse(a.email(), a.password()).statusCode());
        assertEquals(201, Api.signInResponse(a.email(), fresh).statusCode());
    }

    /**
     * An admin's ban through the API against sign-ins of the same user, released together, several rounds: whatever
     * the interleaving, no session of the banned user is left alive, in Postgres or in Redis.
     */
    @Test
    void aBanRacingSignInsLeavesNoSessionAlive() throws Exception {
        Api.Signed root = Api.admin();
        for (int round = 0; round < 4; round++) {
            Api.Account victim = Api.signUp();
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                calls.add(() -> {
                    var r = Api.signInResponse(victim.email(), victim.password());
                    return r.statusCode() == 201 ? r.path("token") : String.valueOf(r.statusCode());
                });
            }
            calls.add(() -> String.valueOf(as(root).contentType(ContentType.JSON).body(Map.of("reason", "fraud"))
                    .post("/api/admin/users/" + victim.id() + "/ban").statusCode()));
            List<String> out = together(calls);
            assertEquals("200", out.get(5), "the ban");
            Api.assertNoLiveSession(victim.id(), out.subList(0, 5), "round " + round);
        }
    }

    @Test
    void revokeAllReachesSessionsTheIndexMissed() throws Exception {
        Api.Account a = Api.signUp();
        Api.Signed one = Api.signIn(a);
        Api.Signed two = Api.signIn(a);
        // the per-user index lost an entry (evicted, or written by an older version)
        redis.set(String.class).srem("user-sessions:" + a.id(),
                Api.column("select token_hash from auth.sessions where user_id = ?::uuid", a.id())
                        .toArray(String[]::new));
        as(one).queryParam("scope", "others").delete("/api/sessions").then().statusCode(200);
        as(one).get("/api/sessions/current").then().statusCode(200);
        as(two).get("/api/sessions/current").then().statusCode(401);
    }
}
