package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.strata.testing.Fuzz;
import dev.strata.testing.StrataServersResource;

/**
 * Generated malformed requests against every auth-service endpoint that takes input: each carries at least one
 * invalid part, so each must be a 4xx problem (never a 5xx), and nothing may be written.
 */
@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuthFuzzTest {

    static final String NUL = Fuzz.NUL;
    static final ObjectMapper JSON = new ObjectMapper();

    static List<Object> list(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    // every value here is wrong for its field, so a body with any of them must be refused
    static final Map<String, List<Object>> SIGN_UP = Map.of(
            "email", list(1, true, List.of(), Map.of(), "", "   ", "a" + NUL + "b@strata.test", "not-an-email",
                    "x".repeat(300) + "@strata.test", null),
            "password", list(1, true, List.of(), Map.of(), null, "short", "x".repeat(5000), "pass" + NUL + "word-long"),
            "name", list(1, true, List.of(), Map.of(), "x".repeat(201), "Ada" + NUL));
    static final Map<String, List<Object>> SIGN_IN = Map.of(
            "email", list(1, List.of(), "", "  ", null, "x".repeat(255), NUL),
            "password", list(1, false, Map.of(), null, "x".repeat(1025), "a" + NUL));
    static final Map<String, List<Object>> PASSWORD_CHANGE = Map.of(
            "currentPassword", list(1, null, List.of(), "x".repeat(1025), NUL),
            "newPassword", list(1, null, "short", "x".repeat(5000), Map.of(), "new" + NUL + "password-long"),
            "unlinkAccounts", list("yes", 1, List.of(), Map.of(), "true" + NUL));
    static final Map<String, List<Object>> CODE = Map.of(
            "channel", list("fax", "", 1, null, NUL, "EMAIL", List.of("email")),
            "phone", list("0151 1234", "+0123", "+49" + NUL + "1511234567", 4915112345678L, "+" + "1".repeat(20)),
            "code", list("12345", "abcdef", 123456, "1234567", NUL + "12345", null));
    static final Map<String, List<Object>> EMAIL_CHANGE = Map.of(
            "newEmail", list(1, true, List.of(), "", "   ", "not-an-email", "x".repeat(300) + "@strata.test", null),
            "password", list(1, null, List.of(), "x".repeat(1025), "not the password"));
    static final Map<String, List<Object>> SMALL = Map.of(
            "password", list(1, null, "x".repeat(1025), List.of(), NUL),
            "token", list("", "   ", 1, null, "x".repeat(201), NUL),
            "reason", list(1, List.of(), Map.of(), "x".repeat(501), "fraud" + NUL));

    final Fuzz fuzz = new Fuzz(20261122L);

    String body(Map<String, Object> valid, Map<String, List<Object>> bad) throws Exception {
        String malformed = fuzz.malformedOrNull();
        if (malformed != null) {
            return malformed;
        }
        Map<String, List<Object>> relevant = new LinkedHashMap<>();
        bad.forEach((k, v) -> {
            if (valid.containsKey(k)) {
                relevant.put(k, v);
            }
        });
        return JSON.writeValueAsString(fuzz.mutate(valid, relevant));
    }

    Map<String, Object> valid(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String snapshot() throws Exception {
        StringBuilder s = new StringBuilder();
        for (String table : List.of("users", "sessions", "verifications", "accounts", "outbox", "bootstrap_tokens",
                "password_resets")) {
            s.append(table).append('=').append(count("select count(*) from auth." + table)).append(' ');
        }
        s.append(Api.column("select coalesce(md5(string_agg(row_to_json(u)::text, ',' order by id)), '') "
                + "from auth.users u").get(0));
        return s.toString();
    }

    @Test
    void athousandMalformedRequestsAreAll4xxAndWriteNothing() throws Exception {
        Api.Signed user = Api.newUser();
        Api.Signed root = Api.admin();
        String victim = Api.signUp().id();
        String before = snapshot();
        String[] roles = {"superuser", "ADMIN", "", "%00", "a%2Fb", "x".repeat(300), "admin%00"};
        String[] ids = {"nope", "%00", "00000000-0000-0000-0000-00000000000", "'--", "-1", "9".repeat(40)};
        for (int i = 0; i < 1200; i++) {
            RequestSpecification anon = Api.from(Api.randomIp()).contentType("application/json");
            RequestSpecification me = as(user).header("X-Forwarded-For", Api.randomIp())
                    .contentType("application/json");
            RequestSpecification admin = as(root).header("X-Forwarded-For", Api.randomIp())
                    .contentType("application/json");
            String target;
            String body = "";
            Response r;
            switch (i % 16) {
                case 0 -> {
                    target = "POST /api/users";
                    body = body(valid("email", Api.randomEmail(), "password", Api.PASSWORD, "name", "Ada"), SIGN_UP);
                    r = anon.body(body).post("/api/users");
                }
                case 1 -> {
                    target = "POST /api/sessions";
                    body = body(valid("email", user.account().email(), "password", "wrong-" + i), SIGN_IN);
                    r = anon.body(body).post("/api/sessions");
                }
                case 2 -> {
                    target = "PUT /api/users/me/password";
                    body = body(valid("currentPassword", "not the password", "newPassword",
                            "a new passphrase " + i, "unlinkAccounts", false), PASSWORD_CHANGE);
                    r = me.body(body).put("/api/users/me/password");
                }
                case 3 -> {
                    target = "POST /api/verifications";
                    body = body(valid("channel", "phone", "phone", "+4915112345678"), CODE);
                    if (!body.contains("\"phone\"") || body.equals(JSON.writeValueAsString(valid("channel", "phone",
                            "phone", "+4915112345678")))) {
                        body = "{\"channel\":\"phone\"}";
                    }
                    r = me.body(body).post("/api/verifications");
                }
                case 4 -> {
                    target = "POST /api/verifications/checks";
                    body = body(valid("channel", "email", "code", "123456"), CODE);
                    if (body.equals("{\"channel\":\"email\",\"code\":\"123456\"}")) {
                        body = "{\"channel\":\"email\"}";
                    }
                    r = me.body(body).post("/api/verifications/checks");
                }
                case 5 -> {
                    target = "POST /api/sessions/current/reauthentication";
                    body = body(valid("password", "x"), Map.of("password", SMALL.get("password")));
                    r = me.body(body).post("/api/sessions/current/reauthentication");
                }
                case 6 -> {
                    target = "POST /api/admin/bootstrap";
                    body = body(valid("token", "t"), Map.of("token", SMALL.get("token")));
                    r = me.body(body).post("/api/admin/bootstrap");
                }
                case 7 -> {
                    target = "POST ban";
                    // the ban's body is optional (no document, or one without a reason, bans without a reason), so
                    // only bodies with a wrong reason are sent
                    body = JSON.writeValueAsString(fuzz.mutate(valid("reason", "r"),
                            Map.of("reason", SMALL.get("reason"))));
                    r = admin.body(body).post("/api/admin/users/" + victim + "/ban");
                }
                case 8 -> {
                    String role = fuzz.pick(Arrays.asList(roles));
                    target = "PUT/DELETE role " + role;
                    r = (fuzz.random().nextBoolean() ? admin.urlEncodingEnabled(false).put(
                            "/api/admin/users/" + victim + "/roles/" + role)
                            : admin.urlEncodingEnabled(false).delete("/api/admin/users/" + victim + "/roles/" + role));
                }
                case 9 -> {
                    String id = fuzz.pick(Arrays.asList(ids));
                    target = "ids " + id;
                    r = switch (fuzz.random().nextInt(4)) {
                        case 0 -> admin.urlEncodingEnabled(false).get("/api/admin/users/" + id);
                        case 1 -> me.urlEncodingEnabled(false).delete("/api/sessions/" + id);
                        case 2 -> me.urlEncodingEnabled(false).delete("/api/accounts/" + id);
                        default -> admin.urlEncodingEnabled(false).body("{}").post("/api/admin/users/" + id + "/ban");
                    };
                }
                case 10 -> {
                    String scope = fuzz.pick(List.of("", "everything", "ALL", "all" + NUL, "others,all"));
                    // an empty value means "not given" for an optional flag
                    String unlink = fuzz.pick(Fuzz.BAD_PARAMS.subList(0, 5)).isEmpty() ? "maybe"
                            : fuzz.pick(Fuzz.BAD_PARAMS.stream().filter(v -> !v.isEmpty()).toList());
                    target = "DELETE /api/sessions scope=" + scope + " unlink=" + unlink;
                    r = fuzz.random().nextBoolean() ? me.queryParam("scope", scope).delete("/api/sessions")
                            : me.queryParam("scope", "others").queryParam("unlinkAccounts", unlink)
                                    .delete("/api/sessions");
                }
                case 12 -> {
                    target = "POST /api/password-resets";
                    body = body(valid("email", Api.randomEmail()), Map.of("email", SIGN_UP.get("email")));
                    r = anon.body(body).post("/api/password-resets");
                }
                case 13 -> {
                    target = "POST /api/password-resets/{token}";
                    body = body(valid("password", "a new passphrase " + i), Map.of("password",
                            SIGN_UP.get("password")));
                    r = anon.body(body).post("/api/password-resets/" + dev.strata.platform.security.SessionTokens
                            .newToken());
                }
                case 14 -> {
                    target = "POST /api/users/me/email-changes";
                    body = body(valid("newEmail", Api.randomEmail(), "password", Api.PASSWORD), EMAIL_CHANGE);
                    r = me.body(body).post("/api/users/me/email-changes");
                }
                case 15 -> {
                    target = "POST /api/users/me/email-changes/confirmation";
                    body = body(valid("code", "123456"), CODE);
                    r = me.body(body).post("/api/users/me/email-changes/confirmation");
                }
                default -> {
                    target = "OAuth callback";
                    r = anon.queryParam("code", fuzz.pick(Fuzz.BAD_PARAMS))
                            .queryParam("state", fuzz.pick(Fuzz.BAD_PARAMS)).get("/api/accounts/mock/callback");
                }
            }
            fuzz.expectProblem(target, body, r.statusCode(), r.contentType());
        }
        assertTrue(fuzz.sent() >= 1000);
        assertEquals(List.of(), fuzz.failures(), fuzz.failureCount() + " failures");
        assertEquals(before, snapshot(), "nothing was written");
        as(user).get("/api/users/me").then().statusCode(200);
    }
}
