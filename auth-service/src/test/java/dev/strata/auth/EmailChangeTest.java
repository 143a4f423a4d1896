package dev.strata.auth;

import static dev.strata.auth.Api.as;
import static dev.strata.auth.Api.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.strata.testing.Concurrently;
import dev.strata.testing.StrataServersResource;

@QuarkusTest
@WithTestResource(value = StrataServersResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = AuthTestServers.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EmailChangeTest {

    static final String INVALID_CODE = "https://strata.dev/problems/auth/invalid-code";

    static Response ask(Api.Signed s, String newEmail, String password) {
        return as(s).contentType(ContentType.JSON).body(Map.of("newEmail", newEmail, "password", password))
                .post("/api/users/me/email-changes");
    }

    static Response confirm(Api.Signed s, String code) {
        return as(s).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/users/me/email-changes/confirmation");
    }

    static String email(String userId) throws Exception {
        return Api.column("select email from auth.users where id = ?::uuid", userId).get(0);
    }

    @Test
    void theNewAddressConfirmsTheChangeTheOldOneHearsOfItAndSessionsKeepWorking() throws Exception {
        Api.Signed s = Api.newUser();
        String old = s.account().email();
        String target = Api.randomEmail();
        ask(s, target.toUpperCase(), Api.PASSWORD).then().statusCode(202).body("channel", equalTo("email"))
                .body("destination", containsString("***@strata.test")).body("expiresAt", notNullValue());
        String code = Api.mailedCode(target);
        assertTrue(Api.mailSubjects(old).contains("Your Strata e-mail address is being changed"),
                Api.mailSubjects(old).toString());
        // nothing changes until the confirmation
        assertEquals(old, email(s.account().id()));
        Api.signInResponse(old, Api.PASSWORD).then().statusCode(201);
        assertEquals(1, count("select count(*) from auth.verifications where user_id = ?::uuid and purpose ="
                + " 'email-change' and identifier = ? and code_hash <> ?", s.account().id(), target, code));

        confirm(s, code).then().statusCode(200).body("email", equalTo(target)).body("emailVerified", equalTo(true));
        assertEquals(target, email(s.account().id()));
        // the session that made the change keeps working and carries the new address
        as(s).get("/api/sessions/current").then().statusCode(200).body("email", equalTo(target));
        assertEquals(1, Api.events("accounts.email_changed", s.account().id()));
        assertEquals(old, Api.column("select payload->'data'->>'previousEmail' from auth.outbox where type ="
                + " 'accounts.email_changed' and payload->'data'->>'userId' = ?", s.account().id()).get(0));
        Api.signInResponse(old, Api.PASSWORD).then().statusCode(401);
        Api.signInResponse(target, Api.PASSWORD).then().statusCode(201);
        // the code was single use
        confirm(s, code).then().statusCode(422).body("type", equalTo(INVALID_CODE));
    }

    @Test
    void theOtherLiveSessionsCarryTheNewAddressToo() throws Exception {
        Api.Account acc = Api.signUp();
        Api.Signed one = Api.signIn(acc);
        Api.Signed two = Api.signIn(acc);
        String target = Api.randomEmail();
        ask(one, target, Api.PASSWORD).then().statusCode(202);
        confirm(one, Api.mailedCode(target)).then().statusCode(200);
        as(two).get("/api/sessions/current").then().statusCode(200).body("email", equalTo(target));
    }

    @Test
    void aWrongPasswordOrATakenOrUnchangedAddressIsRefusedAndNothingIsSent() throws Exception {
        Api.Signed s = Api.newUser();
        Api.Account other = Api.signUp();
        String target = Api.randomEmail();
        ask(s, target, "not my password").then().statusCode(400).body("errors.field", hasItem("password"));
        ask(s, other.email(), Api.PASSWORD).then().statusCode(409)
                .body("type", equalTo("https://strata.dev/problems/auth/email-taken"));
        ask(s, s.account().email(), Api.PASSWORD).then().statusCode(400).body("errors.field", hasItem("newEmail"));
        assertEquals(0, Api.mailCount(target));
        assertEquals(0, count("select count(*) from auth.verifications where user_id = ?::uuid and purpose ="
                + " 'email-change'", s.account().id()));
    }

    @Test
    void badInputIsA400AndWritesNothing() throws Exception {
        Api.Signed s = Api.newUser();
        ask(s, "not an address", Api.PASSWORD).then().statusCode(400).body("errors.field", hasItem("newEmail"));
        as(s).contentType(ContentType.JSON).body(Map.of("newEmail", Api.randomEmail()))
                .post("/api/users/me/email-changes").then().statusCode(400).body("errors.field", hasItem("password"));
        confirm(s, "12ab").then().statusCode(400).body("errors.field", hasItem("code"));
        as(s).contentType(ContentType.JSON).body(Map.of()).post("/api/users/me/email-changes/confirmation").then()
                .statusCode(400).body("errors.field", hasItem("code"));
        // no change asked for: any code is simply invalid
        confirm(s, "123456").then().statusCode(422).body("type", equalTo(INVALID_CODE));
        assertEquals(0, count("select count(*) from auth.verifications where user_id = ?::uuid", s.account().id()));
    }

    @Test
    void nobodyWithoutASessionMayCallAndAnotherUserCannotUseMyCode() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("newEmail", Api.randomEmail(), "password", Api.PASSWORD))
                .post("/api/users/me/email-changes").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("code", "123456"))
                .post("/api/users/me/email-changes/confirmation").then().statusCode(401);

        Api.Signed me = Api.newUser();
        Api.Signed intruder = Api.newUser();
        String target = Api.randomEmail();
        ask(me, target, Api.PASSWORD).then().statusCode(202);
        String code = Api.mailedCode(target);
        confirm(intruder, code).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        assertEquals(intruder.account().email(), email(intruder.account().id()));
        confirm(me, code).then().statusCode(200).body("email", equalTo(target));
    }

    @Test
    void wrongCodesChangeNothingAndOnlyTheNewestRequestCounts() throws Exception {
        Api.Signed s = Api.newUser();
        String first = Api.randomEmail();
        String second = Api.randomEmail();
        ask(s, first, Api.PASSWORD).then().statusCode(202);
        String firstCode = Api.mailedCode(first);
        ask(s, second, Api.PASSWORD).then().statusCode(202);
        String secondCode = Api.mailedCode(second);
        String wrong = secondCode.equals("000000") ? "000001" : "000000";
        confirm(s, wrong).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        assertEquals(s.account().email(), email(s.account().id()));
        if (!firstCode.equals(secondCode)) {
            confirm(s, firstCode).then().statusCode(422).body("type", equalTo(INVALID_CODE));
        }
        confirm(s, secondCode).then().statusCode(200).body("email", equalTo(second));
    }

    /** Two users confirming a change to the same free address at once: one gets it, the other a 409. */
    @Test
    void twoUsersRacingForOneAddressNeverBothGetIt() throws Exception {
        for (int round = 0; round < 3; round++) {
            Api.Signed a = Api.newUser();
            Api.Signed b = Api.newUser();
            String target = Api.randomEmail();
            ask(a, target, Api.PASSWORD).then().statusCode(202);
            String codeA = Api.mailedCode(target);
            ask(b, target, Api.PASSWORD).then().statusCode(202);
            String codeB = Api.mailed(target, java.util.regex.Pattern.compile("\\b((?!" + codeA + ")[0-9]{6})\\b"));
            List<Callable<Integer>> calls = List.of(() -> confirm(a, codeA).statusCode(),
                    () -> confirm(b, codeB).statusCode());
            List<Integer> codes = new ArrayList<>(Concurrently.run(calls));
            codes.sort(null);
            assertEquals(List.of(200, 409), codes, "round " + round);
            assertEquals(1, count("select count(*) from auth.users where email = ?", target), "round " + round);
        }
    }
}
